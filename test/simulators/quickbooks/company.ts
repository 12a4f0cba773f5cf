/**
 * Per-company in-memory books of the QBO simulator, and the registry of companies. A QboCompany only stores:
 * it assigns Ids, SyncTokens and MetaData, keeps its indexes (indexes.ts) in step, remembers deletions for CDC and
 * announces writes. Reads that leave the store are copies; the rules and queries read the stored objects in place
 * (view/scan/lookup), so a write costs O(1) in the size of the books and a query copies only what it returns. The
 * business rules live in operations.ts and entities/*; HTTP lives in api.ts.
 */
import type { SimClock } from '../common/clock';
import { DEFAULT_BEHAVIOUR, mergeBehaviour, type QboBehaviour, type QboBehaviourInput } from './behaviour';
import { ENTITY_NAMES, idSpaceOf, type EntityName, type QboObject } from './entity-names';
import { RequestIdMemory } from './idempotency';
import { INDEXES, type IndexName } from './indexes';
import { seedCompany, type SeedName } from './seed';
import { KeyIndex, Table, compareIds, copyOf, type Row } from './table';
import { qboDate, qboDateTime } from './time';

export type { EntityName, QboObject } from './entity-names';
export type { IndexName } from './indexes';
export type { Row } from './table';
export { compareIds, copyOf } from './table';

export type QboOperation = 'Create' | 'Update' | 'Delete' | 'Void' | 'Emailed' | 'Merge';

export interface QboChange {
  realmId: string;
  entity: string;
  id: string;
  operation: QboOperation;
  /** QBO date-time format, e.g. 2014-09-19T13:16:17-08:00. */
  lastUpdated: string;
}

export interface Tombstone {
  entity: EntityName;
  id: string;
  deletedMs: number;
}

const clone = copyOf;

export class QboCompany {
  readonly requestIds = new RequestIdMemory();
  private readonly tables = new Map<EntityName, Table>();
  /** Per entity, its indexes by name (INDEXES says which entities each index covers). */
  private readonly indexes = new Map<EntityName, Map<IndexName, KeyIndex>>();
  private readonly nextIds = new Map<string, number>();
  private readonly tombstones: Tombstone[] = [];
  private readonly counters = new Map<string, number>();
  private pending: QboChange[] | undefined;

  constructor(
    readonly realmId: string,
    private readonly clock: SimClock,
    private readonly announce: (change: QboChange) => void,
    /** The registry's unconfirmed-behaviour settings (behaviour.ts), read on every write that needs them. */
    private readonly settings: () => QboBehaviour = () => DEFAULT_BEHAVIOUR,
  ) {
    for (const entity of ENTITY_NAMES) {
      this.tables.set(entity, new Table());
      this.indexes.set(entity, new Map());
    }
    for (const [name, spec] of Object.entries(INDEXES) as Array<[IndexName, (typeof INDEXES)[IndexName]]>) {
      for (const entity of spec.entities) this.indexes.get(entity)?.set(name, new KeyIndex(spec.keys));
    }
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  behaviour(): QboBehaviour {
    return this.settings();
  }

  /** Today's date in the company's time zone. */
  today(): string {
    return qboDate(this.clock.nowMs());
  }

  /** The next value of a company-wide counter (postal address Ids, ...), starting at `start`. */
  nextNumber(counter: string, start = 1): number {
    const value = this.counters.get(counter) ?? start;
    this.counters.set(counter, value + 1);
    return value;
  }

  /** A copy of the object (callers may change it freely). */
  get(entity: EntityName, id: string): QboObject | undefined {
    const row = this.table(entity).get(id);
    return row ? clone(row.object) : undefined;
  }

  /** Copies of every stored object of the entity, in Id order. */
  list(entity: EntityName): QboObject[] {
    return this.table(entity).scan().map((row) => clone(row.object));
  }

  /*
   * Read-only access for the rules, queries and CDC: the stored objects themselves, not copies, so reading is as
   * cheap as the question. Callers must not change what they get, and copy (copyOf) whatever leaves the store.
   */

  /** The stored object, or undefined. */
  view(entity: EntityName, id: string): Readonly<QboObject> | undefined {
    return this.table(entity).get(id)?.object;
  }

  /** Every stored row of the entity (object + last write time), in Id order. */
  scan(entity: EntityName): readonly Row[] {
    return this.table(entity).scan();
  }

  /**
   * The stored objects of the entity that may hold `key` in the index, in Id order: a superset (objects whose keys
   * could not be computed are included), so callers keep checking their own condition.
   */
  lookup(index: IndexName, entity: EntityName, key: string): Array<Readonly<QboObject>> {
    const table = this.table(entity);
    const ids = this.index(index, entity).candidates(key);
    for (let i = 1; i < ids.length; i++) {
      if (compareIds(ids[i - 1] as string, ids[i] as string) > 0) {
        ids.sort(compareIds);
        break;
      }
    }
    return ids.flatMap((id) => table.get(id)?.object ?? []);
  }

  /** The greatest key of 1 to 15 digits an object of the entity holds in the index (DocNumber sequences). */
  greatestNumericKey(index: IndexName, entity: EntityName): number | undefined {
    return this.index(index, entity).greatestNumericKey();
  }

  deletedSince(entity: EntityName, sinceMs: number): Tombstone[] {
    return this.tombstones.filter((t) => t.entity === entity && t.deletedMs >= sinceMs);
  }

  /** A copy of the singleton Preferences object. */
  preferences(): QboObject {
    return this.get('Preferences', '1') ?? {};
  }

  /** The Preferences singleton itself, read-only: the rules consult it on every write. */
  preferencesView(): Readonly<QboObject> {
    return this.view('Preferences', '1') ?? {};
  }

  /**
   * Stores a new object: Id (the given one if free, else the next of its Id space), SyncToken "0", MetaData.
   * `announce: false` is for seeding; `versioned: false` leaves out SyncToken/domain/sparse, as QBO does for the
   * US pseudo tax codes TAX and NON.
   */
  insert(entity: EntityName, input: QboObject, options: { announce?: boolean; versioned?: boolean } = {}): QboObject {
    const table = this.table(entity);
    const given = typeof input.Id === 'string' || typeof input.Id === 'number' ? String(input.Id) : '';
    const wanted = given !== '' && !table.has(given) ? given : undefined;
    const id = wanted ?? this.allocateId(entity);
    this.noteUsedId(entity, id);
    const nowMs = this.clock.nowMs();
    const stamp = qboDateTime(nowMs);
    const version = options.versioned === false ? {} : { SyncToken: '0', domain: 'QBO', sparse: false };
    const object: QboObject = { ...clone(input), Id: id, ...version, MetaData: { CreateTime: stamp, LastUpdatedTime: stamp } };
    this.store(entity, id, { object, updatedMs: nowMs });
    if (options.announce !== false) this.record(entity, id, 'Create', nowMs);
    return clone(object);
  }

  /** Replaces a stored object: SyncToken + 1, LastUpdatedTime now, CreateTime kept. */
  replace(entity: EntityName, id: string, next: QboObject, operation: QboOperation = 'Update'): QboObject {
    const row = this.requireRow(entity, id);
    const nowMs = this.clock.nowMs();
    const object: QboObject = {
      ...clone(next),
      Id: id,
      SyncToken: String(Number(row.object.SyncToken ?? '0') + 1),
      domain: 'QBO',
      sparse: false,
      MetaData: { ...(row.object.MetaData as object), LastUpdatedTime: qboDateTime(nowMs) },
    };
    this.store(entity, id, { object, updatedMs: nowMs });
    this.record(entity, id, operation, nowMs);
    return clone(object);
  }

  /** Changes derived fields (a customer's Balance) without a new version: QBO does not bump SyncToken for these. */
  patchQuietly(entity: EntityName, id: string, fields: QboObject): void {
    const row = this.requireRow(entity, id);
    this.store(entity, id, { object: { ...row.object, ...clone(fields) }, updatedMs: row.updatedMs });
  }

  remove(entity: EntityName, id: string): void {
    const row = this.requireRow(entity, id);
    this.table(entity).delete(id);
    for (const index of this.indexesOf(entity)) index.remove(id, row.object);
    const nowMs = this.clock.nowMs();
    this.tombstones.push({ entity, id, deletedMs: nowMs });
    this.record(entity, id, 'Delete', nowMs);
  }

  /** Everything the company holds, as JSON data (the sandbox saves it so a restart continues the same books). */
  exportState(): QboCompanyState {
    const tables: QboCompanyState['tables'] = {};
    for (const [entity, table] of this.tables) {
      const rows = table.scan();
      if (rows.length > 0) tables[entity] = rows.map((row) => ({ object: row.object, updatedMs: row.updatedMs }));
    }
    return {
      realmId: this.realmId,
      tables,
      nextIds: Object.fromEntries(this.nextIds),
      tombstones: [...this.tombstones],
      counters: Object.fromEntries(this.counters),
      requestIds: this.requestIds.exportState(),
    };
  }

  /** Replaces everything with a state from exportState(); indexes are rebuilt from the rows. Announces nothing. */
  importState(state: QboCompanyState): void {
    for (const entity of ENTITY_NAMES) {
      for (const row of this.table(entity).scan()) {
        for (const index of this.indexesOf(entity)) index.remove(row.object.Id as string, row.object);
        this.table(entity).delete(row.object.Id as string);
      }
    }
    for (const [entity, rows] of Object.entries(state.tables) as Array<[EntityName, Row[]]>) {
      for (const row of rows) this.store(entity, String(row.object.Id), { object: clone(row.object), updatedMs: row.updatedMs });
    }
    this.nextIds.clear();
    for (const [space, next] of Object.entries(state.nextIds)) this.nextIds.set(space, next);
    this.tombstones.splice(0, this.tombstones.length, ...state.tombstones);
    this.counters.clear();
    for (const [name, value] of Object.entries(state.counters)) this.counters.set(name, value);
    this.requestIds.importState(state.requestIds);
  }

  /**
   * Runs one logical write. Changes are announced only if `work` succeeds, after it finished, so listeners never
   * hear about a write that faulted halfway (rules validate before they store, so nothing is half-written).
   */
  transaction<T>(work: () => T): T {
    if (this.pending) return work();
    this.pending = [];
    let changes: QboChange[] = [];
    try {
      const result = work();
      changes = this.pending;
      return result;
    } finally {
      this.pending = undefined;
      for (const change of changes) this.announce(change);
    }
  }

  private record(entity: EntityName, id: string, operation: QboOperation, atMs: number): void {
    const change: QboChange = { realmId: this.realmId, entity, id, operation, lastUpdated: qboDateTime(atMs) };
    if (this.pending) this.pending.push(change);
    else this.announce(change);
  }

  /** Stores a row (new, or replacing the one with its Id) and keeps the entity's indexes in step. */
  private store(entity: EntityName, id: string, row: Row): void {
    const table = this.table(entity);
    const previous = table.get(id);
    for (const index of this.indexesOf(entity)) {
      if (previous) index.update(id, previous.object, row.object);
      else index.add(id, row.object);
    }
    table.set(id, row);
  }

  private table(entity: EntityName): Table {
    const table = this.tables.get(entity);
    if (!table) throw new Error(`unknown entity ${entity}`);
    return table;
  }

  private indexesOf(entity: EntityName): Iterable<KeyIndex> {
    return this.indexes.get(entity)?.values() ?? [];
  }

  private index(name: IndexName, entity: EntityName): KeyIndex {
    const index = this.indexes.get(entity)?.get(name);
    if (!index) throw new Error(`no index ${name} on ${entity}`);
    return index;
  }

  private requireRow(entity: EntityName, id: string): Row {
    const row = this.table(entity).get(id);
    if (!row) throw new Error(`${entity} ${id} does not exist`);
    return row;
  }

  private allocateId(entity: EntityName): string {
    const space = idSpaceOf(entity);
    const table = this.table(entity);
    let next = this.nextIds.get(space) ?? 1;
    while (table.has(String(next))) next++;
    return String(next);
  }

  private noteUsedId(entity: EntityName, id: string): void {
    const space = idSpaceOf(entity);
    if (/^\d+$/.test(id) && id.length < 16) {
      this.nextIds.set(space, Math.max(this.nextIds.get(space) ?? 1, Number(id) + 1));
    }
  }
}

/** A company as JSON data (QboCompany.exportState). */
export interface QboCompanyState {
  realmId: string;
  tables: Partial<Record<EntityName, Row[]>>;
  nextIds: Record<string, number>;
  tombstones: Tombstone[];
  counters: Record<string, number>;
  requestIds: ReturnType<RequestIdMemory['exportState']>;
}

export interface CreateCompanyOptions {
  seed?: SeedName;
  companyName?: string;
}

export class QboCompanies {
  private readonly companies = new Map<string, QboCompany>();
  private readonly listeners = new Set<(change: QboChange) => void>();
  private readonly clock: SimClock;
  private settings: QboBehaviour;

  constructor(options: { clock: SimClock; behaviour?: QboBehaviourInput }) {
    this.clock = options.clock;
    this.settings = mergeBehaviour(DEFAULT_BEHAVIOUR, options.behaviour);
  }

  /** The current unconfirmed-behaviour settings of every company. */
  behaviour(): QboBehaviour {
    return structuredClone(this.settings);
  }

  /** Changes some settings (what is not given stays); `reset: true` starts from the defaults. */
  configureBehaviour(input: QboBehaviourInput, options: { reset?: boolean } = {}): QboBehaviour {
    this.settings = mergeBehaviour(options.reset ? DEFAULT_BEHAVIOUR : this.settings, input);
    return this.behaviour();
  }

  /** Creates (or re-creates) a company; its realm id is a 16-digit number string unless given. */
  create(realmId?: string, options: CreateCompanyOptions = {}): QboCompany {
    const id = realmId ?? this.newRealmId();
    const company = new QboCompany(id, this.clock, (change) => this.emit(change), () => this.settings);
    seedCompany(company, options.seed ?? 'demo', options.companyName);
    this.companies.set(id, company);
    return company;
  }

  get(realmId: string): QboCompany | undefined {
    return this.companies.get(realmId);
  }

  list(): QboCompany[] {
    return [...this.companies.values()];
  }

  reset(): void {
    this.companies.clear();
  }

  exportState(): QboCompanyState[] {
    return this.list().map((company) => company.exportState());
  }

  /** Replaces every company with the saved ones. */
  importState(state: QboCompanyState[]): void {
    this.companies.clear();
    for (const saved of state) {
      const company = new QboCompany(saved.realmId, this.clock, (change) => this.emit(change), () => this.settings);
      company.importState(saved);
      this.companies.set(saved.realmId, company);
    }
  }

  /** Hears every successful write of every company (webhooks, request logs). Returns an unsubscribe function. */
  onChange(listener: (change: QboChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: QboChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not undo or fail the write the client already got an answer for.
      }
    }
  }

  private newRealmId(): string {
    for (;;) {
      let id = String(1 + Math.floor(Math.random() * 9));
      while (id.length < 16) id += String(Math.floor(Math.random() * 10));
      if (!this.companies.has(id)) return id;
    }
  }
}
