import { decodeSnapshot, encodeSnapshot, refill, type Snapshot } from '../../common/snapshot';
import { CrmError, badRequest, notFound } from './errors';
import { OBJECT_TYPES, type ObjectTypeInfo, type ObjectTypeName } from './object-types';
import {
  FIELD_TYPES_BY_TYPE,
  builtInDefinitions,
  defaultGroupName,
  type PropertyDefinition,
  type PropertyGroup,
  type PropertyOption,
} from './property-definitions';

const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;

/** One account's property definitions and groups: HubSpot's built-ins plus what apps create. */
export class PropertySchema {
  private readonly definitions = new Map<ObjectTypeName, Map<string, PropertyDefinition>>();
  private readonly groups = new Map<ObjectTypeName, Map<string, PropertyGroup>>();

  constructor(private readonly nowMs: () => number) {
    const now = nowMs();
    for (const type of OBJECT_TYPES) {
      this.definitions.set(type.name, new Map(builtInDefinitions(type.name, type.singular, now).map((d) => [d.name, d])));
      const group = defaultGroupName(type.singular);
      this.groups.set(type.name, new Map([[group, { name: group, label: `${type.singular} information`, displayOrder: -1, archived: false }]]));
    }
  }

  /** Definitions and groups as JSON data (HubSpotAccount.exportState). */
  exportState(): Snapshot {
    return encodeSnapshot({ definitions: this.definitions, groups: this.groups });
  }

  importState(state: Snapshot): void {
    const saved = decodeSnapshot<{ definitions: PropertySchema['definitions']; groups: PropertySchema['groups'] }>(state);
    refill(this.definitions, saved.definitions);
    refill(this.groups, saved.groups);
  }

  list(type: ObjectTypeName): PropertyDefinition[] {
    return [...this.defs(type).values()];
  }

  find(type: ObjectTypeName, name: string): PropertyDefinition | undefined {
    return this.defs(type).get(name);
  }

  get(type: ObjectTypeName, name: string): PropertyDefinition {
    const found = this.find(type, name);
    if (!found) throw notFound(`Unable to find property ${name} for object type ${type}`);
    return found;
  }

  listGroups(type: ObjectTypeName): PropertyGroup[] {
    return [...this.groupsOf(type).values()];
  }

  /** `POST /crm/v3/properties/{type}`: validates like HubSpot; an existing name is a 409. */
  create(type: ObjectTypeInfo, input: Record<string, unknown>): PropertyDefinition {
    const name = requiredString(input, 'name');
    const label = requiredString(input, 'label');
    const valueType = requiredString(input, 'type');
    const fieldType = requiredString(input, 'fieldType');
    const groupName = requiredString(input, 'groupName');
    if (!PROPERTY_NAME.test(name)) {
      throw badRequest(`Property name '${name}' is invalid: use lower-case letters, digits and underscores, starting with a letter.`);
    }
    // HubSpot's wording for this conflict is not published verbatim; category and status are what callers check.
    if (this.defs(type.name).has(name)) {
      throw new CrmError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`);
    }
    const allowed = FIELD_TYPES_BY_TYPE[valueType];
    if (!allowed) throw badRequest(`Invalid type '${valueType}'. Allowed types: ${Object.keys(FIELD_TYPES_BY_TYPE).join(', ')}`);
    if (!allowed.includes(fieldType)) {
      throw badRequest(`Invalid fieldType '${fieldType}' for a property of type '${valueType}'. Allowed: ${allowed.join(', ')}`);
    }
    if (!this.groupsOf(type.name).has(groupName)) throw badRequest(`Property group '${groupName}' does not exist.`);
    const options = parseOptions(input.options);
    if (valueType === 'enumeration' && options.length === 0) throw badRequest('An enumeration property needs at least one option.');
    const now = this.nowMs();
    const definition: PropertyDefinition = {
      name,
      label,
      type: valueType,
      fieldType,
      groupName,
      description: typeof input.description === 'string' ? input.description : '',
      options,
      displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: input.hasUniqueValue === true,
      hidden: input.hidden === true,
      hubspotDefined: false,
      formField: input.formField === true,
      readOnlyValue: false,
      createdAtMs: now,
      updatedAtMs: now,
    };
    this.defs(type.name).set(name, definition);
    return definition;
  }

  /**
   * `PATCH /crm/v3/properties/{type}/{name}` ("Update a property"): changes only the fields sent (label, description,
   * group, options, display order, hidden). HubSpot's own properties are read-only definitions (400); an unknown name
   * is a 404. Options sent replace the list, as HubSpot does.
   */
  update(type: ObjectTypeInfo, name: string, input: Record<string, unknown>): PropertyDefinition {
    const current = this.get(type.name, name);
    if (current.hubspotDefined) throw badRequest(`The property ${name} is defined by HubSpot and cannot be changed.`);
    const next: PropertyDefinition = { ...current };
    if (input.label !== undefined) next.label = requiredString(input, 'label');
    if (typeof input.description === 'string') next.description = input.description;
    if (input.groupName !== undefined) {
      const groupName = requiredString(input, 'groupName');
      if (!this.groupsOf(type.name).has(groupName)) throw badRequest(`Property group '${groupName}' does not exist.`);
      next.groupName = groupName;
    }
    if (input.options !== undefined) {
      next.options = parseOptions(input.options);
      if (next.type === 'enumeration' && next.options.length === 0) throw badRequest('An enumeration property needs at least one option.');
    }
    if (typeof input.displayOrder === 'number') next.displayOrder = input.displayOrder;
    if (typeof input.hidden === 'boolean') next.hidden = input.hidden;
    next.updatedAtMs = this.nowMs();
    this.defs(type.name).set(name, next);
    return next;
  }

  /**
   * `DELETE /crm/v3/properties/{type}/{name}` ("Archive a property"): the property is gone from reads and writes
   * (HubSpot keeps archived definitions for restoring; the simulator forgets them, so the name can be created again).
   */
  archive(type: ObjectTypeName, name: string): void {
    const current = this.get(type, name);
    if (current.hubspotDefined) throw badRequest(`The property ${name} is defined by HubSpot and cannot be archived.`);
    this.defs(type).delete(name);
  }

  /** `GET /crm/v3/properties/{type}/groups/{name}`: 404 when there is no such group. */
  getGroup(type: ObjectTypeName, name: string): PropertyGroup {
    const group = this.groupsOf(type).get(name);
    if (!group) throw notFound(`Unable to find property group ${name} for object type ${type}`);
    return group;
  }

  /** `POST /crm/v3/properties/{type}/groups`; an existing name is a 409. */
  createGroup(type: ObjectTypeInfo, input: Record<string, unknown>): PropertyGroup {
    const name = requiredString(input, 'name');
    const label = requiredString(input, 'label');
    if (!PROPERTY_NAME.test(name)) throw badRequest(`Property group name '${name}' is invalid.`);
    const groups = this.groupsOf(type.name);
    if (groups.has(name)) throw new CrmError(409, 'OBJECT_ALREADY_EXISTS', `A property group named '${name}' already exists.`);
    const group: PropertyGroup = {
      name,
      label,
      displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
      archived: false,
    };
    groups.set(name, group);
    return group;
  }

  private defs(type: ObjectTypeName): Map<string, PropertyDefinition> {
    const defs = this.definitions.get(type);
    if (!defs) throw new Error(`no property definitions for ${type}`);
    return defs;
  }

  private groupsOf(type: ObjectTypeName): Map<string, PropertyGroup> {
    const groups = this.groups.get(type);
    if (!groups) throw new Error(`no property groups for ${type}`);
    return groups;
  }
}

function requiredString(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${key} can not be null or empty`);
  return value;
}

function parseOptions(raw: unknown): PropertyOption[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest('options must be a list of {label, value}');
  const seen = new Set<string>();
  return raw.map((item: unknown, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    if (typeof o.label !== 'string' || typeof o.value !== 'string') throw badRequest('Each option needs a label and a value');
    if (seen.has(o.value)) throw badRequest(`Duplicate option value '${o.value}'`);
    seen.add(o.value);
    return {
      label: o.label,
      value: o.value,
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : i,
      hidden: o.hidden === true,
    };
  });
}

/** The wire form (`Property` in HubSpot's OpenAPI and @hubspot/api-client). */
export function propertyToWire(d: PropertyDefinition): object {
  return {
    updatedAt: new Date(d.updatedAtMs).toISOString(),
    createdAt: new Date(d.createdAtMs).toISOString(),
    name: d.name,
    label: d.label,
    type: d.type,
    fieldType: d.fieldType,
    description: d.description,
    groupName: d.groupName,
    options: d.options,
    displayOrder: d.displayOrder,
    calculated: d.calculated,
    externalOptions: d.externalOptions,
    hasUniqueValue: d.hasUniqueValue,
    hidden: d.hidden,
    hubspotDefined: d.hubspotDefined,
    modificationMetadata: { archivable: !d.hubspotDefined, readOnlyDefinition: d.hubspotDefined, readOnlyValue: d.readOnlyValue },
    formField: d.formField,
    archived: false,
  };
}
