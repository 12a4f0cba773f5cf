import { Client } from '@hubspot/api-client';
import { listen, type RunningServer } from '../../common/listen';
import type { HubSpotAccount } from './account';
import type { ObjectTypeName } from './object-types';
import { crmTestApp } from './test-app';

/** The id of a seeded record, found by its name property (tests never hard-code ids). */
export function idByName(account: HubSpotAccount, type: ObjectTypeName, name: string): string {
  const property = type === 'deals' ? 'dealname' : type === 'contacts' ? 'email' : 'name';
  const found = account.list(type).find((o) => o.properties[property] === name);
  if (!found) throw new Error(`no ${type} named ${name} in the seed`);
  return found.id;
}

export const ISO_WITH_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The CRM router on a real port with the official client (@hubspot/api-client), unmodified, pointed at it, for the
 * tests of a describe block: started in beforeAll, closed in afterAll.
 */
export function useOfficialClient(): { readonly client: Client; readonly sim: ReturnType<typeof crmTestApp>; readonly url: string } {
  let server: RunningServer | undefined;
  let client: Client | undefined;
  let sim: ReturnType<typeof crmTestApp> | undefined;
  beforeAll(async () => {
    sim = crmTestApp();
    server = await listen(sim.app);
    client = new Client({ accessToken: 'x', basePath: server.url });
  });
  afterAll(async () => server?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the CRM simulator is started in beforeAll: use it inside a test');
    return value;
  };
  return {
    get client() {
      return started(client);
    },
    get sim() {
      return started(sim);
    },
    get url() {
      return started(server).url;
    },
  };
}
