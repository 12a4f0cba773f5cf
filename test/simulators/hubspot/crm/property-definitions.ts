import type { ObjectTypeName } from './object-types';

/**
 * HubSpot property value types and the field types each may be shown with
 * (developers.hubspot.com/docs/api-reference/latest/crm/properties/guide, "Property type and fieldType values").
 */
export const FIELD_TYPES_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  string: ['text', 'textarea', 'phonenumber', 'html', 'file'],
  number: ['number', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  bool: ['booleancheckbox'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
};

export interface PropertyOption {
  label: string;
  value: string;
  description?: string;
  displayOrder: number;
  hidden: boolean;
}

/** A property definition as `GET /crm/v3/properties/{type}` returns it (dates are ms here, ISO on the wire). */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  calculated: boolean;
  /** Options live elsewhere (pipelines, owners): `options` is empty and the account checks the value. */
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  formField: boolean;
  /** Set by HubSpot (ids, dates, calculated amounts): a write is rejected. */
  readOnlyValue: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

type Spec = [name: string, type: string, fieldType: string, extra?: Partial<PropertyDefinition> & { values?: string[] }];

function options(values: string[]): PropertyOption[] {
  return values.map((value, i) => ({ label: value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' '), value, displayOrder: i, hidden: false }));
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'];
const READ_ONLY = { readOnlyValue: true, formField: false };
const CALCULATED = { readOnlyValue: true, calculated: true, formField: false };
const OWNER: Spec = ['hubspot_owner_id', 'enumeration', 'select', { externalOptions: true }];
/**
 * "Merged [record] IDs" (https://knowledge.hubspot.com/records/merge-records): the ids merged into a deal, contact or
 * company, separated by semicolons like HubSpot's other multi-value properties; set by merges only. Its type
 * (enumeration/checkbox, as multi-value properties are) is unconfirmed.
 */
const MERGED_IDS: Spec = ['hs_merged_object_ids', 'enumeration', 'checkbox', READ_ONLY];

/** Properties every object type has (the created/modified names differ by type; see object-types.ts). */
function common(created: string, modified: string): Spec[] {
  return [
    ['hs_object_id', 'number', 'number', READ_ONLY],
    [created, 'datetime', 'date', READ_ONLY],
    [modified, 'datetime', 'date', READ_ONLY],
  ];
}

const BUILT_IN: Record<ObjectTypeName, Spec[]> = {
  deals: [
    ...common('createdate', 'hs_lastmodifieddate'),
    ['dealname', 'string', 'text'],
    ['amount', 'number', 'number'],
    ['closedate', 'datetime', 'date'],
    ['dealstage', 'enumeration', 'radio', { externalOptions: true }],
    ['pipeline', 'enumeration', 'select', { externalOptions: true }],
    ['deal_currency_code', 'enumeration', 'select', { values: CURRENCIES }],
    ['description', 'string', 'textarea'],
    OWNER,
    ['hs_is_closed', 'bool', 'booleancheckbox', CALCULATED],
    ['hs_is_closed_won', 'bool', 'booleancheckbox', CALCULATED],
    ['hs_deal_stage_probability', 'number', 'number', CALCULATED],
    MERGED_IDS,
  ],
  contacts: [
    ...common('createdate', 'lastmodifieddate'),
    ['email', 'string', 'text', { hasUniqueValue: true }],
    ['firstname', 'string', 'text'],
    ['lastname', 'string', 'text'],
    ['phone', 'string', 'phonenumber'],
    ['company', 'string', 'text'],
    OWNER,
    MERGED_IDS,
  ],
  companies: [
    ...common('createdate', 'hs_lastmodifieddate'),
    ['name', 'string', 'text'],
    // HubSpot de-duplicates companies by domain in its UI, but domain is not a unique property: no upsert by it.
    ['domain', 'string', 'text'],
    ['phone', 'string', 'phonenumber'],
    ['address', 'string', 'text'],
    ['city', 'string', 'text'],
    ['state', 'string', 'text'],
    ['zip', 'string', 'text'],
    ['country', 'string', 'text'],
    OWNER,
    MERGED_IDS,
  ],
  line_items: [
    ...common('createdate', 'hs_lastmodifieddate'),
    ['name', 'string', 'text'],
    ['description', 'string', 'textarea'],
    ['quantity', 'number', 'number'],
    ['price', 'number', 'number'],
    ['discount', 'number', 'number'],
    ['hs_discount_percentage', 'number', 'number'],
    ['hs_product_id', 'number', 'number'],
    ['hs_sku', 'string', 'text'],
    ['hs_line_item_currency_code', 'enumeration', 'select', { values: CURRENCIES }],
    ['hs_recurring_billing_period', 'string', 'text'],
    ['amount', 'number', 'number', CALCULATED],
    ['hs_pre_discount_amount', 'number', 'number', CALCULATED],
    ['hs_total_discount', 'number', 'number', CALCULATED],
  ],
  products: [
    ...common('createdate', 'hs_lastmodifieddate'),
    ['name', 'string', 'text'],
    ['description', 'string', 'textarea'],
    ['price', 'number', 'number'],
    ['hs_sku', 'string', 'text'],
  ],
  tasks: [
    ...common('hs_createdate', 'hs_lastmodifieddate'),
    ['hs_timestamp', 'datetime', 'date'],
    ['hs_task_subject', 'string', 'text'],
    ['hs_task_body', 'string', 'html'],
    ['hs_task_status', 'enumeration', 'select', { values: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'] }],
    ['hs_task_priority', 'enumeration', 'select', { values: ['NONE', 'LOW', 'MEDIUM', 'HIGH'] }],
    ['hs_task_type', 'enumeration', 'select', { values: ['TODO', 'CALL', 'EMAIL'] }],
    OWNER,
  ],
  notes: [
    ...common('hs_createdate', 'hs_lastmodifieddate'),
    ['hs_timestamp', 'datetime', 'date'],
    ['hs_note_body', 'string', 'html'],
    OWNER,
  ],
};

/** The group HubSpot puts an object's own properties in (`dealinformation`, `contactinformation`, ...). */
export function defaultGroupName(singular: string): string {
  return `${singular.replace('_', '')}information`;
}

export function builtInDefinitions(type: ObjectTypeName, singular: string, nowMs: number): PropertyDefinition[] {
  return BUILT_IN[type].map(([name, valueType, fieldType, extra = {}], i) => {
    const { values, ...rest } = extra;
    return {
      name,
      label: name.replace(/^hs_/, '').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
      type: valueType,
      fieldType,
      groupName: defaultGroupName(singular),
      description: '',
      options: values ? options(values) : [],
      displayOrder: i,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: name === 'hs_object_id',
      hidden: false,
      hubspotDefined: true,
      formField: true,
      readOnlyValue: false,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      ...rest,
    };
  });
}
