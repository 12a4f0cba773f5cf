/**
 * Per-company in-memory books of the QBO simulator, and the registry of companies. A QboCompany only stores:
 * it assigns Ids, SyncTokens and MetaData, remembers deletions for CDC and announces writes. The business rules
 * live in operations.ts and entities/*; HTTP lives in api.ts.
 */
import type { SimClock } from '../common/clock';
import { ENTITY_NAMES, idSpaceOf, type EntityName, type QboObject } from './entity-names';
import { RequestIdMemory } from './idempotency';
import { seedCompany, type SeedName } from './seed';
import { qboDate, qboDateTime } from './time';

export type { EntityName, QboObject } from './entity-names';

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

interface Row {
  object: QboObject;
  updatedMs: number;
}

const clone = <T>(value: T): T => structuredClone(value);

export class QboCompany {
  readonly requestIds = new RequestIdMemory();
  private readonly tables = new Map<EntityName, Map<string, Row>>();
  private readonly nextIds = new Map<string, number>();
  private readonly tombstones: Tombstone[] = [];
  private readonly counters = new Map<string, number>();
  private pending: QboChange[] | undefined;

  constructor(
    readonly realmId: string,
    private readonly clock: SimClock,
    private readonly announce: (change: QboChange) => void,
  ) {
    for (const entity of ENTITY_NAMES) this.tables.set(entity, new Map());
  }

  nowMs(): number {
    return this.clock.nowMs();
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
    return this.rows(entity).map((row) => clone(row.object));
  }

  /** Objects with their last write time (for queries on MetaData and CDC). */
  listWithTimes(entity: EntityName): Array<{ object: QboObject; updatedMs: number }> {
    return this.rows(entity).map((row) => ({ object: clone(row.object), updatedMs: row.updatedMs }));
  }

  deletedSince(entity: EntityName, sinceMs: number): Tombstone[] {
    return this.tombstones.filter((t) => t.entity === entity && t.deletedMs >= sinceMs);
  }

  /** The singleton Preferences object (read-only copy). */
  preferences(): QboObject {
    return this.get('Preferences', '1') ?? {};
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
    table.set(id, { object, updatedMs: nowMs });
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
    row.object = object;
    row.updatedMs = nowMs;
    this.record(entity, id, operation, nowMs);
    return clone(object);
  }

  /** Changes derived fields (a customer's Balance) without a new version: QBO does not bump SyncToken for these. */
  patchQuietly(entity: EntityName, id: string, fields: QboObject): void {
    const row = this.requireRow(entity, id);
    row.object = { ...row.object, ...clone(fields) };
  }

  remove(entity: EntityName, id: string): void {
    this.requireRow(entity, id);
    this.table(entity).delete(id);
    const nowMs = this.clock.nowMs();
    this.tombstones.push({ entity, id, deletedMs: nowMs });
    this.record(entity, id, 'Delete', nowMs);
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

  private table(entity: EntityName): Map<string, Row> {
    const table = this.tables.get(entity);
    if (!table) throw new Error(`unknown entity ${entity}`);
    return table;
  }

  private rows(entity: EntityName): Row[] {
    return [...this.table(entity).values()].sort((a, b) => compareIds(a.object.Id as string, b.object.Id as string));
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

/** Numeric Ids in numeric order, then the pseudo ones (TAX, NON) by name. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CreateCompanyOptions {
  seed?: SeedName;
  companyName?: string;
}

export class QboCompanies {
  private readonly companies = new Map<string, QboCompany>();
  private readonly listeners = new Set<(change: QboChange) => void>();
  private readonly clock: SimClock;

  constructor(options: { clock: SimClock }) {
    this.clock = options.clock;
  }

  /** Creates (or re-creates) a company; its realm id is a 16-digit number string unless given. */
  create(realmId?: string, options: CreateCompanyOptions = {}): QboCompany {
    const id = realmId ?? this.newRealmId();
    const company = new QboCompany(id, this.clock, (change) => this.emit(change));
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
