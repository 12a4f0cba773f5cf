import type { World } from '../support/world';

/**
 * The HubSpot simulator as a test sees it: its control API (what HubSpot holds, "a user did this"), its request log
 * (what DealBooks asked) and its faults. Records are found by name, never by id (the seed's ids are not promised).
 */
export interface SimRecord {
  id: string;
  properties: Record<string, string | null>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
}

export interface LoggedCall {
  seq: number;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
}

const to = (id: string, ...typeIds: number[]) => ({
  to: { id },
  types: typeIds.map((associationTypeId) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId })),
});

/** HubSpot-defined association type ids (fixture payloads.json `association_type_ids_hubspot_defined`). */
export const TYPE = { dealToContact: 3, primaryDealToCompany: 5, dealToLineItem: 19, dealToCompany: 341 } as const;

export function hubspotSim(world: World, portalId: number) {
  const base = `/hubspot/accounts/${portalId}`;
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${world.sandbox.hubspot.url}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const sim = {
    async list(type: string, filter: Record<string, string> = {}): Promise<SimRecord[]> {
      return (await world.control('hubspot', `${base}/objects/${type}?${new URLSearchParams(filter)}`)).results;
    },
    async find(type: string, filter: Record<string, string>): Promise<SimRecord> {
      const [found, ...more] = await sim.list(type, filter);
      if (!found || more.length > 0) throw new Error(`expected one ${type} with ${JSON.stringify(filter)}`);
      return found;
    },
    deal: (dealname: string) => sim.find('deals', { dealname }),
    /** One record with every property and every association, as HubSpot holds it. */
    get: (type: string, id: string): Promise<SimRecord> => world.control('hubspot', `${base}/objects/${type}/${id}`),
    create: (type: string, properties: Record<string, string>, associations: ReturnType<typeof to>[] = []): Promise<SimRecord> =>
      world.control('hubspot', `${base}/objects/${type}`, { properties, associations }),
    remove: (type: string, id: string) => send('DELETE', `${base}/objects/${type}/${id}`),
    /** The next `times` calls whose path contains `path` fail as configured (common/faults.ts). */
    fault: (rule: { path: string; method?: string; status?: number; kind?: 'status' | 'hang' | 'reset'; times?: number }) => world.control('hubspot', '/faults', rule),
    clearFaults: () => send('DELETE', '/faults'),
    async lastSeq(): Promise<number> {
      const { requests } = await world.control('hubspot', `/requests?account=${portalId}`);
      return requests.reduce((max: number, r: LoggedCall) => Math.max(max, r.seq), 0);
    },
    /** The API calls DealBooks made for this portal after `seq`, oldest first. */
    async callsSince(seq: number): Promise<LoggedCall[]> {
      const { requests } = await world.control('hubspot', `/requests?account=${portalId}`);
      return (requests as LoggedCall[]).filter((r) => r.seq > seq && r.path.startsWith('/crm/')).sort((a, b) => a.seq - b.seq);
    },
  };
  return sim;
}

export { to as associateTo };
