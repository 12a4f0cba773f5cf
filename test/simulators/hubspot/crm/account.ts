import type { SimClock } from '../../common/clock';
import {
  AssociationStore,
  HUBSPOT_DEFINED,
  compareIds,
  defaultAssociationType,
  findAssociationType,
  type AssociationType,
} from './associations';
import { CrmError, badRequest, notFound } from './errors';
import type { HubSpotFidelity } from './lifecycle-fidelity';
import { OBJECT_TYPES, objectType, type ObjectTypeInfo, type ObjectTypeName } from './object-types';
import type { Owner } from './owners';
import { DealPipelines, type Pipeline } from './pipelines';
import { decodeSnapshot, encodeSnapshot, refill, type Snapshot } from '../../common/snapshot';
import { PropertySchema } from './properties';
import { applyWrite } from './rules';
import type { CrmFidelity } from './fidelity';
import { historyEntry, recordHistory, type HistoryEntry } from './history';
import { inheritFromProduct } from './line-items';
import { objectToWire } from './wire';

/** A CRM record as stored: every property value is a string, like on the wire. */
export interface CrmObject {
  id: string;
  type: ObjectTypeName;
  properties: Record<string, string>;
  createdAtMs: number;
  updatedAtMs: number;
  archived: boolean;
  archivedAtMs?: number;
  /** Set on a record merged away: the id of the record it was merged into (which may itself be merged later). */
  mergedIntoId?: string;
  /** Every value each property has had, oldest first (history.ts); read with `propertiesWithHistory`. */
  history?: Record<string, HistoryEntry[]>;
}

/** `associations` entry of a v3 create body. */
export interface AssociationInput {
  to: { id: string | number };
  types: { associationCategory: string; associationTypeId: number }[];
}

/** Every property value change, for webhooks (see store.ts for when it is emitted). */
export interface PropertyChange {
  portalId: number;
  objectType: string;
  objectTypeId: string;
  objectId: number;
  propertyName: string;
  propertyValue: string;
  changeSource: string;
  sourceId?: string;
  occurredAt: number;
}

/** Something that happened to a whole object: who did it, when. */
export interface ObjectEvent {
  portalId: number;
  objectType: string;
  objectTypeId: string;
  objectId: number;
  changeSource: string;
  sourceId?: string;
  occurredAt: number;
}

/** A new object (HubSpot's `object.creation` / `deal.creation` webhooks). */
export type ObjectCreation = ObjectEvent;

/**
 * A contact deleted for good to honour a privacy request (GDPR delete, in HubSpot's UI or through
 * `POST /crm/v3/objects/contacts/gdpr-delete`): HubSpot's `contact.privacyDeletion` hub event.
 */
export type PrivacyDeletion = ObjectEvent;

/**
 * A record deleted (archived), restored, or merged: HubSpot's `object.deletion`, `object.restore` and
 * `object.merge` webhooks (https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks). A merge
 * carries the changelog's payload fields: `primaryObjectId` (the record kept in front), `mergedObjectIds` (the
 * records merged into it), `newObjectId` (the id of the resulting record; the primary's own id when no new record
 * is made) and `numberOfPropertiesMoved` (values taken from the merged records).
 */
export type LifecycleEvent =
  | (ObjectEvent & { kind: 'deletion' })
  | (ObjectEvent & { kind: 'restore' })
  | (ObjectEvent & { kind: 'merge'; primaryObjectId: number; mergedObjectIds: number[]; newObjectId: number; numberOfPropertiesMoved: number });

/** Types that can be merged: HubSpot's merge endpoint exists for these (and tickets, which are not simulated). */
export const MERGEABLE_TYPES: readonly ObjectTypeName[] = ['deals', 'companies', 'contacts'];

/** Properties a merge never copies from the merged record: HubSpot's own bookkeeping of the surviving record. */
const MERGE_BOOKKEEPING = new Set(['hs_object_id', 'createdate', 'hs_createdate', 'hs_lastmodifieddate', 'lastmodifieddate', 'hs_merged_object_ids']);

/** Who made a change: `INTEGRATION` (an app), `CRM_UI` (a user), with HubSpot's optional sourceId. */
export interface ChangeOrigin {
  changeSource: string;
  sourceId?: string;
}

export interface AccountDeps {
  clock: SimClock;
  /** Readings of search, association and history behaviour HubSpot does not document (fidelity.ts). */
  crmFidelity: () => CrmFidelity;
  nextId: () => string;
  emit: (change: PropertyChange) => void;
  emitCreation: (creation: ObjectCreation) => void;
  emitPrivacyDeletion: (deletion: PrivacyDeletion) => void;
  emitLifecycle: (event: LifecycleEvent) => void;
  /** The lifecycle fidelity switches now (lifecycle-fidelity.ts; they may change while the simulator runs). */
  fidelity: () => HubSpotFidelity;
}

/** HubSpotAccount.exportState(). */
export interface HubSpotAccountState {
  portalId: number;
  name: string;
  createdAtMs: number;
  objects: Snapshot;
  schema: Snapshot;
  pipelines: Pipeline[];
  owners: Owner[];
  associations: Snapshot;
}

/** An event waiting for the outcome of the writes that caused it (see `reportAfter`). */
interface HeldEvent {
  type: ObjectTypeName;
  objectId: string;
  send: () => void;
}

const OBJECT_TYPE_NAMES: readonly ObjectTypeName[] = OBJECT_TYPES.map((t) => t.name);

/** Properties HubSpot maintains itself; their changes are not reported as property changes. */
const SYSTEM_PROPERTIES = new Set(['hs_object_id', 'createdate', 'hs_createdate', 'hs_lastmodifieddate', 'lastmodifieddate']);

/** One HubSpot portal: its objects, schema, pipelines, owners and associations. */
export class HubSpotAccount {
  readonly schema: PropertySchema;
  readonly pipelines: DealPipelines;
  readonly associations = new AssociationStore();
  readonly owners: Owner[] = [];
  readonly createdAtMs: number;
  private readonly objects = new Map<ObjectTypeName, Map<string, CrmObject>>();
  /** Set while `reportAfter` runs: events wait here instead of going out. */
  private held: HeldEvent[] | undefined;

  constructor(
    readonly portalId: number,
    readonly name: string,
    private readonly deps: AccountDeps,
  ) {
    const now = () => deps.clock.nowMs();
    this.createdAtMs = now();
    this.schema = new PropertySchema(now);
    this.pipelines = new DealPipelines(now);
  }

  /** Objects, schema, pipelines, owners and associations as JSON data (the sandbox saves them across restarts). */
  exportState(): HubSpotAccountState {
    return {
      portalId: this.portalId,
      name: this.name,
      createdAtMs: this.createdAtMs,
      objects: encodeSnapshot(this.objects),
      schema: this.schema.exportState(),
      pipelines: this.pipelines.list(),
      owners: [...this.owners],
      associations: this.associations.exportState(),
    };
  }

  /** Replaces everything with a saved state. Emits nothing: the saved state is the portal's past. */
  importState(state: HubSpotAccountState): void {
    (this as { createdAtMs: number }).createdAtMs = state.createdAtMs;
    refill(this.objects, decodeSnapshot(state.objects));
    this.schema.importState(state.schema);
    this.pipelines.restore(state.pipelines);
    this.owners.splice(0, this.owners.length, ...state.owners);
    this.associations.importState(state.associations);
  }

  /** The simulator's settings for search, association and history behaviour HubSpot does not document (fidelity.ts). */
  crmFidelity(): CrmFidelity {
    return this.deps.crmFidelity();
  }

  /** Simulated now (the simulator's clock). */
  nowMs(): number {
    return this.deps.clock.nowMs();
  }

  // ---- reads ----

  /** A live (not archived) object, or undefined. */
  find(type: ObjectTypeName, id: string): CrmObject | undefined {
    const found = this.table(type).get(id);
    return found && !found.archived ? found : undefined;
  }

  /**
   * A live object by id, or by the value of a unique property (`?idProperty=email`); 404 otherwise. The id of a
   * record merged away reaches the record it was merged into, unless `mergedIdRead` is 'not-found' (lifecycle-fidelity.ts).
   */
  get(type: ObjectTypeName, id: string, idProperty?: string): CrmObject {
    const found = idProperty && idProperty !== 'hs_object_id' ? this.findByUnique(type, idProperty, id) : this.find(type, id) ?? this.mergedSurvivor(type, id);
    if (!found) throw notFound();
    return found;
  }

  /** The live record a merged-away id now points to, when reads follow merges. */
  mergedSurvivor(type: ObjectTypeName, id: string): CrmObject | undefined {
    if (this.deps.fidelity().mergedIdRead !== 'survivor') return undefined;
    let current = this.table(type).get(id);
    for (let hops = 0; current?.mergedIntoId !== undefined && hops < 1000; hops++) current = this.table(type).get(current.mergedIntoId);
    return current && !current.archived ? current : undefined;
  }

  findByUnique(type: ObjectTypeName, propertyName: string, value: string): CrmObject | undefined {
    const def = this.schema.find(type, propertyName);
    if (!def || !def.hasUniqueValue) throw badRequest(`${propertyName} is not a unique property of ${type}`);
    const wanted = value.toLowerCase();
    return this.list(type).find((o) => o.properties[propertyName]?.toLowerCase() === wanted);
  }

  /** Objects of a type in id order (archived ones only when asked). */
  list(type: ObjectTypeName, options: { archived?: boolean } = {}): CrmObject[] {
    const archived = options.archived ?? false;
    return [...this.table(type).values()].filter((o) => o.archived === archived).sort((a, b) => compareIds(a.id, b.id));
  }

  // ---- writes ----

  /**
   * Creates an object after validating its properties and `associations` (a v3 create body's list); nothing is
   * stored if either is wrong. Reports an ObjectCreation (not PropertyChanges).
   */
  create(type: ObjectTypeName, properties: unknown, associations: unknown = [], origin: ChangeOrigin = { changeSource: 'API' }): CrmObject {
    const info = objectType(type);
    const given = info.name === 'line_items' ? inheritFromProduct(properties, (id) => this.find('products', id), this.schema) : properties;
    const written = applyWrite(this.writeContext(info), {}, given);
    const links = this.resolveAssociations(info, associations);
    const id = this.deps.nextId();
    const at = new Date(this.deps.clock.nowMs()).toISOString();
    const object: CrmObject = {
      id,
      type,
      properties: { ...written.properties, hs_object_id: id, [info.createdProperty]: at, [info.modifiedProperty]: at },
      createdAtMs: Date.parse(at),
      updatedAtMs: Date.parse(at),
      archived: false,
    };
    for (const [name, value] of Object.entries(object.properties)) {
      recordHistory(object, name, historyEntry(value, object.createdAtMs, written.calculated.includes(name) ? { changeSource: 'CALCULATED' } : origin));
    }
    this.table(type).set(id, object);
    for (const { association, toId } of links) this.associations.add(association, id, toId);
    const creation: ObjectCreation = { ...this.objectEvent(type, id, origin), occurredAt: object.createdAtMs };
    this.report(type, id, () => this.deps.emitCreation(creation));
    return object;
  }

  /**
   * Writes properties and reports each value that changed (a write that changes nothing reports nothing and
   * leaves hs_lastmodifieddate alone). Calculated values that follow are reported with changeSource CALCULATED.
   */
  update(type: ObjectTypeName, id: string, properties: unknown, origin: ChangeOrigin, idProperty?: string): CrmObject {
    const info = objectType(type);
    const object = this.get(type, id, idProperty);
    const before = object.properties;
    const written = applyWrite(this.writeContext(info, object.id), before, properties);
    // Written values first, then the calculated ones that follow from them (cause before effect), each by name.
    const isCalculated = (name: string) => Number(written.calculated.includes(name));
    const changed = Object.keys({ ...before, ...written.properties })
      .filter((name) => !SYSTEM_PROPERTIES.has(name) && before[name] !== written.properties[name])
      .sort((a, b) => isCalculated(a) - isCalculated(b) || a.localeCompare(b));
    if (changed.length === 0) return object;
    const nowMs = this.deps.clock.nowMs();
    object.properties = { ...written.properties, [info.modifiedProperty]: new Date(nowMs).toISOString() };
    object.updatedAtMs = nowMs;
    for (const name of changed) {
      const calculated = written.calculated.includes(name);
      recordHistory(object, name, historyEntry(object.properties[name] ?? '', nowMs, calculated ? { changeSource: 'CALCULATED' } : origin));
      const change: PropertyChange = {
        portalId: this.portalId,
        objectType: info.singular,
        objectTypeId: info.typeId,
        objectId: Number(object.id),
        propertyName: name,
        propertyValue: object.properties[name] ?? '',
        changeSource: calculated ? 'CALCULATED' : origin.changeSource,
        ...(!calculated && origin.sourceId !== undefined ? { sourceId: origin.sourceId } : {}),
        occurredAt: nowMs,
      };
      this.report(type, object.id, () => this.deps.emit(change));
    }
    return object;
  }

  /** Runs an update's checks without storing anything (batch update validates every input before writing). */
  checkUpdate(type: ObjectTypeName, id: string, properties: unknown, idProperty?: string): void {
    const object = this.get(type, id, idProperty);
    applyWrite(this.writeContext(objectType(type), object.id), object.properties, properties);
  }

  /**
   * `DELETE` archives: the object disappears from reads, lists and search, and an `object.deletion` is reported
   * (https://developers.hubspot.com/docs/api/webhooks lists deletion among the CRM object events). Only a live
   * object by its own id: a merged-away id is not deleted through its survivor.
   */
  archive(type: ObjectTypeName, id: string, origin: ChangeOrigin): void {
    const object = this.find(type, id);
    if (!object) throw notFound();
    object.archived = true;
    object.archivedAtMs = this.deps.clock.nowMs();
    this.report(type, id, () => this.deps.emitLifecycle({ kind: 'deletion', ...this.objectEvent(type, id, origin) }));
  }

  /**
   * Brings an archived (deleted) record back, as a user does from the recycle bin, and reports `object.restore`
   * ("When an object is restored (opposite of delete)",
   * https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks). Its associations come back with
   * it. A record merged away cannot be restored (it lives on in its survivor); a live one is a 400.
   */
  restore(type: ObjectTypeName, id: string, origin: ChangeOrigin): CrmObject {
    const object = this.table(type).get(id);
    if (!object || object.mergedIntoId !== undefined) throw notFound(`No deleted ${objectType(type).singular} with id ${id} exists to restore`);
    if (!object.archived) throw badRequest(`${objectType(type).singular} ${id} is not deleted`);
    object.archived = false;
    delete object.archivedAtMs;
    this.report(type, id, () => this.deps.emitLifecycle({ kind: 'restore', ...this.objectEvent(type, id, origin) }));
    return object;
  }

  /**
   * Merges `mergeId` into `primaryId` (`POST /crm/v3/objects/{type}/merge {primaryObjectId, objectIdToMerge}`,
   * https://developers.hubspot.com/docs/api-reference/crm-custom-objects-v3/basic/post-crm-v3-objects-objectType-merge)
   * and returns the resulting record. Per HubSpot's changelog
   * (https://developers.hubspot.com/changelog/updated-merge-functionality-for-contacts-and-companies):
   * - the primary's values win; values only the merged record has are kept ("Property values from both objects
   *   will still be merged onto the new object");
   * - associations of both end up on the result (the primary's first; a second "Primary" company label is dropped);
   * - with `mergeSurvivor: 'new'` the result is a new record with a new id and both originals are gone; with
   *   'primary' the primary keeps its id and only the merged record goes;
   * - the ids merged away are listed in the result's `hs_merged_object_ids` ("Merged [record] IDs",
   *   https://knowledge.hubspot.com/records/merge-records), separated by semicolons as HubSpot's multi-value
   *   properties are, and still reach the result when read (`mergedIdRead`).
   * No property change events are reported for values the merge moved (unconfirmed; a public report,
   * https://github.com/amp-labs/connectors/pull/3487, says HubSpot sends none); one `object.merge`, and with
   * `deletionOnMerge` an `object.deletion` per record gone.
   */
  merge(type: ObjectTypeName, primaryId: string, mergeId: string, origin: ChangeOrigin): CrmObject {
    const info = objectType(type);
    if (!MERGEABLE_TYPES.includes(type)) throw badRequest(`${info.name} cannot be merged`);
    const primary = this.get(type, primaryId);
    const merged = this.get(type, mergeId);
    if (primary.id === merged.id) throw badRequest(`Cannot merge ${info.singular} ${primary.id} into itself`);
    const fidelity = this.deps.fidelity();
    const nowMs = this.deps.clock.nowMs();
    const moved = Object.keys(merged.properties).filter(
      (name) => !MERGE_BOOKKEEPING.has(name) && isBlank(primary.properties[name]) && !isBlank(merged.properties[name]),
    );
    const properties: Record<string, string> = { ...primary.properties };
    for (const name of moved) properties[name] = merged.properties[name]!;
    const survivorId = fidelity.mergeSurvivor === 'new' ? this.deps.nextId() : primary.id;
    const gone = fidelity.mergeSurvivor === 'new' ? [primary, merged] : [merged];
    const mergedIds = [
      ...splitIds(primary.properties.hs_merged_object_ids),
      ...splitIds(merged.properties.hs_merged_object_ids),
      ...gone.map((o) => o.id),
    ];
    const at = new Date(nowMs).toISOString();
    let survivor: CrmObject;
    if (survivorId === primary.id) {
      survivor = primary;
    } else {
      // The new record is as old as the older of the two: it carries both histories (HubSpot's exact createdate is unconfirmed).
      const createdAtMs = Math.min(primary.createdAtMs, merged.createdAtMs);
      survivor = { id: survivorId, type, properties: {}, createdAtMs, updatedAtMs: nowMs, archived: false };
      properties[info.createdProperty] = new Date(createdAtMs).toISOString();
      this.table(type).set(survivorId, survivor);
    }
    const before = primary.properties;
    survivor.properties = { ...properties, hs_object_id: survivorId, hs_merged_object_ids: [...new Set(mergedIds)].join(';'), [info.modifiedProperty]: at };
    survivor.updatedAtMs = nowMs;
    // History of the merged record (history.ts), so `propertiesWithHistory` agrees with its values: each property
    // keeps the past of the record its value came from (the merged one for moved properties, else the primary), and
    // every value the merge itself sets is a new entry from the merge's origin. How HubSpot builds the history of a
    // merged record is not documented; this is the simulator's reading.
    const history: Record<string, HistoryEntry[]> = {};
    for (const [name, entries] of Object.entries(primary.history ?? {})) history[name] = [...entries];
    for (const name of moved) history[name] = [...(merged.history?.[name] ?? [])];
    survivor.history = history;
    for (const [name, value] of Object.entries(survivor.properties)) {
      if (before[name] !== value && !moved.includes(name)) recordHistory(survivor, name, historyEntry(value, nowMs, origin));
    }
    for (const old of gone) {
      this.moveAssociations(type, old.id, survivorId);
      old.archived = true;
      old.archivedAtMs = nowMs;
      old.mergedIntoId = survivorId;
    }
    const event = this.objectEvent(type, primary.id, origin);
    this.report(type, survivorId, () =>
      this.deps.emitLifecycle({
        kind: 'merge',
        ...event,
        primaryObjectId: Number(primary.id),
        mergedObjectIds: [Number(merged.id)],
        newObjectId: Number(survivorId),
        numberOfPropertiesMoved: moved.length,
      }),
    );
    if (fidelity.deletionOnMerge) {
      for (const old of gone) this.report(type, survivorId, () => this.deps.emitLifecycle({ kind: 'deletion', ...this.objectEvent(type, old.id, origin) }));
    }
    return survivor;
  }

  /**
   * Forgets an object and its links as if it never existed (a failed batch undoing its earlier creates). Its
   * events still held by `reportAfter` are dropped; ids are never reused.
   */
  discard(type: ObjectTypeName, id: string): void {
    this.table(type).delete(id);
    this.associations.removeObject(type, id);
  }

  /**
   * GDPR delete of a contact (live or archived): unlike `archive`, nothing of it stays readable, not even with
   * `?archived=true`, and its associations go too. Reports a PrivacyDeletion.
   */
  privacyDelete(id: string, origin: ChangeOrigin): void {
    const info = objectType('contacts');
    if (!this.table(info.name).has(id)) throw notFound();
    this.discard(info.name, id);
    const deletion: PrivacyDeletion = this.objectEvent(info.name, id, origin);
    this.deps.emitPrivacyDeletion(deletion);
  }

  /**
   * Runs writes whose events wait for their outcome: once `run` returns or throws, the events of objects that
   * still exist go out in order, and those of objects `run` discarded (a failed batch's creations) never do.
   */
  reportAfter<T>(run: () => T): T {
    const outer = this.held;
    const held: HeldEvent[] = [];
    this.held = held;
    try {
      return run();
    } finally {
      this.held = outer;
      for (const event of held) if (this.table(event.type).has(event.objectId)) this.report(event.type, event.objectId, event.send);
    }
  }

  /** Links two live objects with the given type ids (or the pair's default type). */
  associate(from: ObjectTypeName, fromId: string, to: ObjectTypeName, toId: string, typeIds?: number[]): AssociationType[] {
    this.get(from, fromId);
    if (!this.find(to, toId)) throw notFound(`No ${to} with id ${toId} exists`);
    const types = typeIds?.length
      ? typeIds.map((typeId) => {
          const t = findAssociationType(from, typeId);
          if (!t || t.to !== to) throw badRequest(`${typeId} is not a valid association type id from ${from} to ${to}`);
          return t;
        })
      : [defaultAssociationType(from, to) ?? invalidPair(from, to)];
    for (const t of types) this.associations.add(t, fromId, toId);
    return types;
  }

  // ---- the control API's "a user did this in HubSpot" (wire shapes, all properties) ----

  /** Like a user deleting a record in HubSpot: it is archived, and apps subscribed to object.deletion hear. */
  deleteObject(objectTypeName: string, id: string): void {
    this.archive(objectType(objectTypeName).name, id, this.userOrigin('CRM_UI'));
  }

  /** Like a user restoring a deleted record from HubSpot's recycle bin. */
  restoreObject(objectTypeName: string, id: string): object {
    const info = objectType(objectTypeName);
    return objectToWire(this, info, this.restore(info.name, id, this.userOrigin('CRM_UI')), { all: true });
  }

  /** Like a user merging two records in HubSpot (Actions > Merge on the primary record). */
  mergeObjects(objectTypeName: string, primaryId: string, mergeId: string): object {
    const info = objectType(objectTypeName);
    return objectToWire(this, info, this.merge(info.name, primaryId, mergeId, this.userOrigin('CRM_UI')), { all: true });
  }

  /** Like a user creating a record in HubSpot. */
  createObject(objectTypeName: string, properties: Record<string, unknown>, associations?: AssociationInput[]): object {
    const info = objectType(objectTypeName);
    const object = this.create(info.name, properties, associations ?? [], this.userOrigin('CRM_UI'));
    return objectToWire(this, info, object, { all: true });
  }

  /** Like a user deleting a contact for good in HubSpot ("Permanently delete" for a privacy request). */
  gdprDelete(id: string): void {
    this.privacyDelete(id, this.userOrigin('CRM_UI'));
  }

  /** Like a user editing a record in HubSpot: emits PropertyChange events (changeSource CRM_UI by default). */
  setProperties(objectTypeName: string, id: string, properties: Record<string, unknown>, changeSource = 'CRM_UI'): object {
    const info = objectType(objectTypeName);
    const object = this.update(info.name, id, properties, this.userOrigin(changeSource));
    return objectToWire(this, info, object, { all: true });
  }

  addOwner(owner: Omit<Owner, 'createdAtMs'>): Owner {
    const created = { ...owner, createdAtMs: this.deps.clock.nowMs() };
    this.owners.push(created);
    return created;
  }

  /** A change made in HubSpot's UI carries the acting user as `sourceId: "userId:<id>"` (the first owner here). */
  private userOrigin(changeSource: string): ChangeOrigin {
    const user = this.owners[0];
    return changeSource === 'CRM_UI' && user ? { changeSource, sourceId: `userId:${user.userId}` } : { changeSource };
  }

  /** Who, what and when of an event about one object. */
  private objectEvent(type: ObjectTypeName, id: string, origin: ChangeOrigin): ObjectEvent {
    const info = objectType(type);
    return {
      portalId: this.portalId,
      objectType: info.singular,
      objectTypeId: info.typeId,
      objectId: Number(id),
      changeSource: origin.changeSource,
      ...(origin.sourceId !== undefined ? { sourceId: origin.sourceId } : {}),
      occurredAt: this.deps.clock.nowMs(),
    };
  }

  /**
   * Every link of `fromId` becomes a link of `toId` with the same types, except a second "Primary" label of a
   * kind the survivor already has (HubSpot drops excess primary associations of the secondary record).
   */
  private moveAssociations(type: ObjectTypeName, fromId: string, toId: string): void {
    for (const target of OBJECT_TYPE_NAMES) {
      const survivorHasPrimary = this.associations.list(type, toId, target).some((a) => a.typeIds.some((t) => findAssociationType(type, t)?.label === 'Primary'));
      for (const link of this.associations.list(type, fromId, target)) {
        if (target === type && link.toId === toId) continue;
        for (const typeId of link.typeIds) {
          const association = findAssociationType(type, typeId);
          if (!association || (association.label === 'Primary' && survivorHasPrimary)) continue;
          this.associations.add(association, toId, link.toId);
        }
      }
    }
    this.associations.removeObject(type, fromId);
  }

  private resolveAssociations(from: ObjectTypeInfo, inputs: unknown): { association: AssociationType; toId: string }[] {
    if (inputs === undefined || inputs === null) return [];
    if (!Array.isArray(inputs)) throw badRequest('associations must be a list');
    return inputs.flatMap((input: AssociationInput) => {
      const toId = input?.to?.id === undefined ? undefined : String(input.to.id);
      if (!toId || !Array.isArray(input.types) || input.types.length === 0) {
        throw badRequest('Each association needs to.id and at least one type');
      }
      return input.types.map((t) => {
        const association = t.associationCategory === HUBSPOT_DEFINED ? findAssociationType(from.name, Number(t.associationTypeId)) : undefined;
        if (!association) {
          throw badRequest(`association type ${t.associationCategory}/${t.associationTypeId} is not valid for ${from.name}`);
        }
        if (!this.find(association.to, toId)) {
          throw badRequest(`No ${association.to} with id ${toId} exists to associate with`, { context: { ids: [toId] } });
        }
        return { association, toId };
      });
    });
  }

  /** Sends an event now, or holds it while `reportAfter` runs. */
  private report(type: ObjectTypeName, objectId: string, send: () => void): void {
    if (this.held) this.held.push({ type, objectId, send });
    else send();
  }

  private writeContext(type: ObjectTypeInfo, objectId?: string) {
    return {
      type,
      schema: this.schema,
      pipelines: this.pipelines,
      owners: this.owners,
      ...(objectId !== undefined ? { objectId } : {}),
      holderOf: (name: string, value: string) => this.findByUnique(type.name, name, value)?.id,
    };
  }

  private table(type: ObjectTypeName): Map<string, CrmObject> {
    let table = this.objects.get(type);
    if (!table) {
      table = new Map();
      this.objects.set(type, table);
    }
    return table;
  }
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value === '';
}

function splitIds(value: string | undefined): string[] {
  return (value ?? '').split(';').filter((id) => id !== '');
}

function invalidPair(from: ObjectTypeName, to: ObjectTypeName): never {
  throw new CrmError(400, 'VALIDATION_ERROR', `${from} cannot be associated with ${to}`);
}
