import { connectDirect, installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';
import { QuickbooksApi, type QuickbooksApiDeps } from '../../server/src/quickbooks/api';
import { QuickbooksSales } from '../../server/src/quickbooks/sales';
import { qboAppBaseUrl } from '../../server/src/quickbooks/web-links';
import { silentLogger } from '../support/harness';
import { useForAll } from '../support/shared-setup';
import { Teardown } from '../support/teardown';

/**
 * DealBooks connected to the QBO simulator's demo company (seed: customers ABC LLC 1, ABC, LLC 2, ABC Inc 3,
 * inactive Old Mill Bakery 4, vendor Northwind Traders; items 1..4; terms 1..3; classes; tax codes TAX/NON/2),
 * through its own OAuth code, with the adapter built on the service's QuickbooksApi.
 */
export interface QboWorld {
  world: World;
  portalId: number;
  realmId: string;
  sales: QuickbooksSales;
  /** The QBO web app base the connection's environment implies. */
  appBase: string;
  /** A QuickbooksApi of the test's own (a short timeout, a captured logger), on the same connection. */
  api(options?: Partial<Pick<QuickbooksApiDeps, 'timeoutMs' | 'maxConcurrentPerRealm' | 'logger' | 'apiBaseUrl'>>): QuickbooksApi;
  /** Simulator control: POST/GET (world.control) plus DELETE and PATCH. */
  sim(method: 'DELETE' | 'PATCH', path: string, body?: unknown): Promise<void>;
  /** Stores an object straight into the company, bypassing QBO's rules (test data). */
  store(entity: string, object: Record<string, unknown>): Promise<Record<string, any>>;
  stored(entity: string): Promise<Array<Record<string, any>>>;
  apiRequests(path: string, method?: string): Promise<Array<{ method: string; path: string; query: Record<string, string>; headers: Record<string, string>; status: number }>>;
}

export async function startQboWorld(): Promise<QboWorld> {
  const world = await startWorld();
  const teardown = new Teardown();
  teardown.add(() => world.close());
  try {
    return await connectedQboWorld(world);
  } catch (err) {
    return teardown.afterFailure(err);
  }
}

/** The QboWorld for the tests of a describe block: started in beforeAll, closed in afterAll. */
export function useQboWorld(): QboWorld {
  return useForAll('the QuickBooks world (useQboWorld)', startQboWorld, (q) => q.world.close());
}

async function connectedQboWorld(world: World): Promise<QboWorld> {
  const portalId = await installDirect(world);
  const { realmId } = await connectDirect(world, portalId);
  const environment = (await world.ctx.quickbooks.connections.live(portalId))!.environment;
  const sales = new QuickbooksSales({ api: world.ctx.quickbooks.api, logger: silentLogger });
  const simUrl = world.sandbox.quickbooks.url;
  const sim: QboWorld['sim'] = async (method, path, body) => {
    const response = await fetch(`${simUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
  };
  return {
    world,
    portalId,
    realmId,
    sales,
    appBase: qboAppBaseUrl(environment),
    api: (options = {}) =>
      new QuickbooksApi({ apiBaseUrl: world.ctx.config.quickbooks.apiBaseUrl, connections: world.ctx.quickbooks.connections, logger: silentLogger, ...options }),
    sim,
    store: (entity, object) => world.control('quickbooks', `/quickbooks/companies/${realmId}/${entity}`, object),
    stored: (entity) => world.control('quickbooks', `/quickbooks/companies/${realmId}/${entity}`),
    apiRequests: async (path, method) => {
      const { requests } = await world.control('quickbooks', `/requests?path=${encodeURIComponent(path)}${method ? `&method=${method}` : ''}`);
      return requests;
    },
  };
}
