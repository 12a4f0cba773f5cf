import { CrmError } from './errors';

/**
 * The CRM object types the simulator knows. Paths accept the plural name, the singular name or the type id
 * (`deals`, `deal`, `0-3`), as HubSpot's do.
 */
export type ObjectTypeName = 'deals' | 'contacts' | 'companies' | 'line_items' | 'products' | 'tasks' | 'notes';

export interface ObjectTypeInfo {
  name: ObjectTypeName;
  /** Singular name used by webhooks (`deal.propertyChange`, PropertyChange.objectType). */
  singular: string;
  typeId: string;
  /** Key of this type in a v3 read's `associations` map (HubSpot writes line items with a space). */
  associationKey: string;
  /** Properties a read returns when `properties` is not given (plus the always-present ones below). */
  defaultProperties: string[];
  /** Create date / last-modified property names: contacts use `lastmodifieddate`, engagements `hs_createdate`. */
  createdProperty: string;
  modifiedProperty: string;
  /** Properties that `query` (search full text) looks at. */
  queryProperties: string[];
}

export const OBJECT_TYPES: readonly ObjectTypeInfo[] = [
  {
    name: 'deals', singular: 'deal', typeId: '0-3', associationKey: 'deals',
    defaultProperties: ['amount', 'closedate', 'dealname', 'dealstage', 'pipeline'],
    createdProperty: 'createdate', modifiedProperty: 'hs_lastmodifieddate', queryProperties: ['dealname'],
  },
  {
    name: 'contacts', singular: 'contact', typeId: '0-1', associationKey: 'contacts',
    defaultProperties: ['email', 'firstname', 'lastname'],
    createdProperty: 'createdate', modifiedProperty: 'lastmodifieddate',
    queryProperties: ['email', 'firstname', 'lastname', 'phone'],
  },
  {
    name: 'companies', singular: 'company', typeId: '0-2', associationKey: 'companies',
    defaultProperties: ['domain', 'name'],
    createdProperty: 'createdate', modifiedProperty: 'hs_lastmodifieddate', queryProperties: ['name', 'domain', 'phone'],
  },
  {
    name: 'line_items', singular: 'line_item', typeId: '0-8', associationKey: 'line items',
    defaultProperties: ['amount', 'description', 'discount', 'hs_product_id', 'name', 'price', 'quantity'],
    createdProperty: 'createdate', modifiedProperty: 'hs_lastmodifieddate', queryProperties: ['name', 'hs_sku'],
  },
  {
    name: 'products', singular: 'product', typeId: '0-7', associationKey: 'products',
    defaultProperties: ['description', 'name', 'price'],
    createdProperty: 'createdate', modifiedProperty: 'hs_lastmodifieddate',
    queryProperties: ['name', 'hs_sku', 'description'],
  },
  {
    name: 'tasks', singular: 'task', typeId: '0-27', associationKey: 'tasks',
    defaultProperties: ['hs_task_subject', 'hs_task_status', 'hs_timestamp'],
    createdProperty: 'hs_createdate', modifiedProperty: 'hs_lastmodifieddate',
    queryProperties: ['hs_task_subject', 'hs_task_body'],
  },
  {
    name: 'notes', singular: 'note', typeId: '0-46', associationKey: 'notes',
    defaultProperties: ['hs_note_body', 'hs_timestamp'],
    createdProperty: 'hs_createdate', modifiedProperty: 'hs_lastmodifieddate', queryProperties: ['hs_note_body'],
  },
];

const ALIASES = new Map<string, ObjectTypeInfo>();
for (const t of OBJECT_TYPES) {
  for (const alias of [t.name, t.singular, t.typeId, t.name.replace('_', ''), t.singular.replace('_', '')]) {
    ALIASES.set(alias.toLowerCase(), t);
  }
}

export function findObjectType(nameOrId: string): ObjectTypeInfo | undefined {
  return ALIASES.get(nameOrId.toLowerCase());
}

/** Like HubSpot, an unknown type in a path is a 400 ("Unable to infer object type from: ..."). */
export function objectType(nameOrId: string): ObjectTypeInfo {
  const found = findObjectType(nameOrId);
  if (!found) throw new CrmError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${nameOrId}`);
  return found;
}

/** Read-only properties every object has; always returned. */
export function alwaysReturned(type: ObjectTypeInfo): string[] {
  return ['hs_object_id', type.createdProperty, type.modifiedProperty];
}
