import { ensureDealProperties } from '../../server/src/connections/install-hubspot';
import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import type { Settings } from '../../server/src/sync/settings';
import { connectDirect, installDirect } from '../support/direct';
import { useForAll } from '../support/shared-setup';
import { Teardown } from '../support/teardown';
import { startWorld, type World } from '../support/world';

/**
 * Quote to cash against both simulators: DealBooks installed in the demo HubSpot account and connected to the demo
 * QBO company, over real HTTP, on a fresh database; jobs are run by the test (`drain`) so nothing depends on timing.
 */
export interface Q2C {
  world: World;
  portalId: number;
  realmId: string;
  /** A signed card request (advances the shared clock 1 ms first, so two identical requests are not replays). */
  card(method: string, path: string, body?: unknown, userId?: number): Promise<{ status: number; body: any; headers: Record<string, string> }>;
  /** Runs deal work until none is left or a job has to wait for a person (bounded); returns how many jobs ran. */
  drain(): Promise<number>;
  /** Changes these settings through the signed settings API (PATCH on the version just read); the others stay. */
  settings(patch: Partial<Settings>): Promise<Settings>;
  /** A demo deal's id by its name. */
  dealId(name: string): Promise<string>;
  /** A HubSpot record's id by a property value (e.g. products by name). */
  find(type: string, property: string, value: string): Promise<string>;
  /** A user edits a HubSpot record (emits webhooks, which are flushed to DealBooks). */
  edit(type: string, id: string, properties: Record<string, string>): Promise<void>;
  /** Creates a HubSpot record as a user would. */
  create(type: string, properties: Record<string, string>, associations?: unknown[]): Promise<{ id: string }>;
  /** Sends HubSpot's pending webhooks to DealBooks now. */
  flushHubSpot(): Promise<void>;
  /** The QBO company's stored objects of an entity (via the simulator's control API). */
  qbo(entity: string): Promise<any[]>;
  close(): Promise<void>;
}

async function call(url: string, method: string, body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export interface Q2COptions {
  /** Environment variables on top of the test config. */
  env?: Record<string, string>;
  /** Settings saved through the settings API once the world is up. */
  settings?: Partial<Settings>;
}

export async function startQ2C(options: Q2COptions = {}): Promise<Q2C> {
  const world = await startWorld({ env: options.env });
  const teardown = new Teardown();
  teardown.add(() => world.close());
  try {
    const q2c = await connectedQ2C(world);
    if (options.settings) await q2c.settings(options.settings);
    return q2c;
  } catch (err) {
    return teardown.afterFailure(err);
  }
}

/**
 * The quote-to-cash world for the tests of a describe block (or file): started in beforeAll, closed in afterAll.
 * Further setup that needs the handle goes in a beforeAll of its own after this call (hooks run in order).
 */
export function useQ2C(options: Q2COptions = {}): Q2C {
  return useForAll('the quote-to-cash world (useQ2C)', () => startQ2C(options), (q) => q.close());
}

async function connectedQ2C(world: World): Promise<Q2C> {
  const portalId = await installDirect(world);
  const { realmId } = await connectDirect(world, portalId);
  // The install route creates DealBooks' deal properties; installDirect skips the route, so do it here.
  await ensureDealProperties(world.ctx, portalId);
  // An install happens long before deals are worked on: let HubSpot's rolling ten-second window (110 requests) pass,
  // so the install's calls do not count against the calls of the tests on the frozen clock.
  await world.clock.advance(10_000);
  const hs = `${world.sandbox.hubspot.url}/_sim/hubspot`;
  const hsRoot = `${world.sandbox.hubspot.url}/_sim`;
  const qb = `${world.sandbox.quickbooks.url}/_sim/quickbooks`;
  const q2c: Q2C = {
    world,
    portalId,
    realmId,
    async card(method, path, body, userId) {
      await world.clock.advance(1);
      return world.card({ portalId, method, path, body, userId });
    },
    async drain() {
      let ran = 0;
      for (let i = 0; i < 200; i++) {
        const outcome = await world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true });
        // A job that must wait for a person (reconnect) is parked; taking it again at once would only spin.
        if (outcome === 'idle' || outcome === 'waiting') return ran;
        ran += 1;
      }
      throw new Error('deal work did not drain in 200 jobs');
    },
    async settings(patch) {
      const current = await q2c.card('GET', '/api/settings');
      if (current.status !== 200) throw new Error(`GET /api/settings answered ${current.status}: ${JSON.stringify(current.body)}`);
      const saved = await q2c.card('PATCH', '/api/settings', { settings: patch, version: current.body.version });
      if (saved.status !== 200) throw new Error(`PATCH /api/settings answered ${saved.status}: ${JSON.stringify(saved.body)}`);
      return saved.body.settings;
    },
    async dealId(name) {
      const found = await call(`${hs}/accounts/${portalId}/objects/deals?dealname=${encodeURIComponent(name)}`, 'GET');
      const id = found.results[0]?.id;
      if (!id) throw new Error(`no demo deal named ${name}`);
      return String(id);
    },
    async find(type, property, value) {
      const found = await call(`${hs}/accounts/${portalId}/objects/${type}?${property}=${encodeURIComponent(value)}`, 'GET');
      const id = found.results[0]?.id;
      if (!id) throw new Error(`no ${type} with ${property} = ${value}`);
      return String(id);
    },
    async edit(type, id, properties) {
      await call(`${hs}/accounts/${portalId}/objects/${type}/${id}`, 'PATCH', { properties });
      await q2c.flushHubSpot();
    },
    async create(type, properties, associations) {
      const created = await call(`${hs}/accounts/${portalId}/objects/${type}`, 'POST', { properties, associations });
      return { id: String(created.id) };
    },
    async flushHubSpot() {
      await call(`${hsRoot}/webhooks/flush`, 'POST', {});
    },
    async qbo(entity) {
      return call(`${qb}/companies/${realmId}/${entity}`, 'GET');
    },
    close: () => world.close(),
  };
  return q2c;
}

// HubSpot-defined association type ids (https://developers.hubspot.com/docs/api/crm/associations; the simulator's
// test/simulators/hubspot/crm/seed.ts uses the same).
const DEAL_TO_COMPANY_PRIMARY = 5;
const DEAL_TO_CONTACT = 3;
const DEAL_TO_LINE_ITEM = 19;
const CONTACT_TO_COMPANY = 279;
const to = (id: string, typeId: number) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] });

/** A contact of the deal. `ofCompany`: also the company's contact, which DealBooks prefers over the deal's first. */
export interface ContactSpec {
  firstname?: string;
  lastname?: string;
  email?: string;
  phone?: string;
  ofCompany?: boolean;
}

/** A deal as a rep sets it up in HubSpot. */
export interface DealSpec {
  name: string;
  /** Default "default" (the Sales Pipeline). */
  pipeline?: string;
  /** Default "contractsent": not a trigger stage, so making the deal starts nothing. */
  stage?: string;
  /** Default 2026-11-20 (midnight UTC); null leaves the deal without a close date. */
  closeDate?: string | null;
  /** Default USD; null leaves the deal's currency unset. */
  currency?: string | null;
  /** Any other deal properties; they win over the ones above. */
  properties?: Record<string, string>;
  /**
   * The deal's (primary) company: a new one by name or with these properties, an existing one by id, or none (null).
   * Default: a new company named "<deal name> Co".
   */
  company?: string | { properties: Record<string, string> } | { id: string } | null;
  /** Contacts in the order they are associated with the deal (the first is the deal's contact unless one is `ofCompany`). */
  contacts?: ContactSpec[];
  /** Line items as HubSpot properties, in the deal's order (none: `[]`). */
  lines: Array<Record<string, string>>;
}

export interface MadeDeal {
  dealId: string;
  companyId: string | null;
  contactIds: string[];
  lineIds: string[];
}

/** Creates the deal's company, contacts and line items and then the deal associated with them, as a rep would. */
export async function makeDeal(q: Q2C, spec: DealSpec): Promise<MadeDeal> {
  const company = spec.company === undefined ? `${spec.name} Co` : spec.company;
  let companyId: string | null = null;
  if (typeof company === 'string') companyId = (await q.create('companies', { name: company })).id;
  else if (company && 'id' in company) companyId = company.id;
  else if (company) companyId = (await q.create('companies', company.properties)).id;
  const associations: unknown[] = companyId === null ? [] : [to(companyId, DEAL_TO_COMPANY_PRIMARY)];

  const contactIds: string[] = [];
  for (const { ofCompany, ...properties } of spec.contacts ?? []) {
    if (ofCompany && companyId === null) throw new Error(`deal ${spec.name}: a contact of the company needs a company`);
    const contact = await q.create('contacts', properties as Record<string, string>, ofCompany ? [to(companyId!, CONTACT_TO_COMPANY)] : []);
    contactIds.push(contact.id);
  }
  associations.push(...contactIds.map((id) => to(id, DEAL_TO_CONTACT)));

  const lineIds: string[] = [];
  for (const line of spec.lines) lineIds.push((await q.create('line_items', line)).id);
  associations.push(...lineIds.map((id) => to(id, DEAL_TO_LINE_ITEM)));

  const properties: Record<string, string> = { dealname: spec.name, pipeline: spec.pipeline ?? 'default', dealstage: spec.stage ?? 'contractsent' };
  const currency = spec.currency === undefined ? 'USD' : spec.currency;
  if (currency !== null) properties.deal_currency_code = currency;
  const closeDate = spec.closeDate === undefined ? '2026-11-20T00:00:00.000Z' : spec.closeDate;
  if (closeDate !== null) properties.closedate = closeDate;
  const deal = await q.create('deals', { ...properties, ...spec.properties }, associations);
  return { dealId: deal.id, companyId, contactIds, lineIds };
}

export type DocumentKind = 'invoice' | 'estimate';

/** Presses "Create invoice" (or "Create estimate") on the card, which answers 202 (queued), and runs the queued work. */
export async function pressCreate(q: Q2C, dealId: string, kind: DocumentKind = 'invoice'): Promise<void> {
  const pressed = await q.card('POST', `/api/deals/${dealId}/${kind}s`, {});
  expect(pressed.status).toBe(202);
  await q.drain();
}

/**
 * `pressCreate`, then what the rep and QBO see: the card's summary, and the deal's documents of that kind as QBO
 * stores them, in the summary's order (none when the action was blocked).
 */
export async function createThroughCard(q: Q2C, dealId: string, kind: DocumentKind = 'invoice'): Promise<{ summary: any; documents: any[] }> {
  await pressCreate(q, dealId, kind);
  const answer = await q.card('GET', `/api/deals/${dealId}/summary`);
  expect(answer.status).toBe(200);
  const summary = answer.body;
  const stored = await q.qbo(kind === 'invoice' ? 'Invoice' : 'Estimate');
  const documents = (kind === 'invoice' ? summary.invoices : summary.estimates).map((shown: any) => stored.find((d: any) => d.Id === shown.id));
  return { summary, documents };
}

/** One stored QBO object (simulator control API). */
export async function qboRecord(q: Q2C, entity: string, id: string): Promise<any> {
  return q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/${entity}/${id}`);
}

/** One HubSpot record as HubSpot holds it now, with its properties and associations (simulator control API). */
export async function hubspotRecord(q: Q2C, type: string, id: string): Promise<any> {
  return q.world.control('hubspot', `/hubspot/accounts/${q.portalId}/objects/${type}/${id}`);
}

/** The QBO customers whose DisplayName is this name (a string) or matches it (a RegExp). */
export async function qboCustomersNamed(q: Q2C, name: string | RegExp): Promise<any[]> {
  const matches = (displayName: string) => (typeof name === 'string' ? displayName === name : name.test(displayName));
  return (await q.qbo('Customer')).filter((c: any) => matches(c.DisplayName));
}

/** The sequence number of the newest request QBO has seen, to look only at what happens after it. */
export async function qboMark(q: Q2C): Promise<number> {
  const { requests } = await q.world.control('quickbooks', '/requests');
  return requests.length === 0 ? 0 : requests[requests.length - 1].seq;
}

/** Writes to the QBO company (any POST to the accounting API) since the mark; token calls are not writes. */
export async function qboWritesSince(q: Q2C, mark: number): Promise<Array<{ method: string; path: string }>> {
  const { requests } = await q.world.control('quickbooks', '/requests?method=POST');
  return requests.filter((r: any) => r.seq > mark && String(r.path).includes('/v3/company/')).map((r: any) => ({ method: r.method, path: r.path }));
}

export interface OtherAccount {
  portalId: number;
  /** Its own QBO company, when it connected one. */
  realmId: string | null;
  /** A card request signed for this account (advances the shared clock 1 ms first, as `q.card` does). */
  card(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Another HubSpot account (`portalId`) installs DealBooks in the same world; given `quickbooksCompany`, it also
 * connects a new demo QBO company of that name, its own.
 */
export async function otherAccount(q: Q2C, portalId: number, options: { quickbooksCompany?: string } = {}): Promise<OtherAccount> {
  const { world } = q;
  const created = options.quickbooksCompany ? await world.control('quickbooks', '/quickbooks/companies', { seed: 'demo', companyName: options.quickbooksCompany }) : null;
  await world.control('hubspot', '/oauth/consent', { portalId });
  const installed = await installDirect(world);
  let realmId: string | null = null;
  if (created) {
    await world.control('quickbooks', '/oauth/consent', { realmId: created.realmId });
    realmId = (await connectDirect(world, installed)).realmId;
    if (realmId !== created.realmId) throw new Error(`account ${installed} connected QBO company ${realmId}, not its own ${created.realmId}`);
  }
  return {
    portalId: installed,
    realmId,
    async card(method, path, body) {
      await world.clock.advance(1);
      return world.card({ portalId: installed, method, path, body });
    },
  };
}
