import { startHubSpotSimulator } from './hubspot';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REALM_ID, DEMO_REDIRECT_URIS, startQuickbooksSimulator } from './quickbooks';

/**
 * A simulator's whole state as JSON and back (what the sandbox saves across restarts): a second simulator that
 * imports it continues the same world, tokens included, through JSON text as the sandbox's file holds it.
 */
const viaJson = <T>(state: T): T => JSON.parse(JSON.stringify(state)) as T;

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

describe('simulator state export and import', () => {
  it('When the QBO simulator\'s state is imported into a new one, then its grant still works and the books continue', async () => {
    const first = await startQuickbooksSimulator();
    const redirectUri = DEMO_REDIRECT_URIS[0]!;
    const consent = await fetch(`${first.url}/connect/oauth2?client_id=${DEMO_CLIENT_ID}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=com.intuit.quickbooks.accounting&state=s`, { redirect: 'manual' });
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
    const basic = `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`;
    const tokens = await json(`${first.url}/oauth2/v1/tokens/bearer`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    });
    const api = (base: string, path: string, body?: unknown) =>
      json(`${base}/v3/company/${DEMO_REALM_ID}/${path}?minorversion=75`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${tokens.body.access_token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const made = await api(first.url, 'customer', { DisplayName: 'Kept Across Restarts Co' });
    expect(made.status).toBe(200);
    const state = viaJson(first.exportState());
    await first.close();

    const second = await startQuickbooksSimulator();
    try {
      second.importState(state);
      const read = await api(second.url, `customer/${made.body.Customer.Id}`);
      expect(read).toMatchObject({ status: 200, body: { Customer: { DisplayName: 'Kept Across Restarts Co' } } });
      // The name index came back too: the same name is refused (6240), and the next Id follows the saved ones.
      expect((await api(second.url, 'customer', { DisplayName: 'Kept Across Restarts Co' })).status).toBe(400);
      const next = await api(second.url, 'customer', { DisplayName: 'Made After The Restart Co' });
      expect(Number(next.body.Customer.Id)).toBe(Number(made.body.Customer.Id) + 1);
      const refreshed = await json(`${second.url}/oauth2/v1/tokens/bearer`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token }),
      });
      expect(refreshed.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('When the HubSpot simulator\'s state is imported into a new one, then records, installs and tokens continue and new ids are new', async () => {
    const first = await startHubSpotSimulator();
    const [install] = first.seeded;
    const portal = install!.portalId;
    const created = await json(`${first.url}/crm/v3/objects/deals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${install!.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { dealname: 'Kept across restarts', pipeline: 'default', dealstage: 'appointmentscheduled' } }),
    });
    expect(created.status).toBe(201);
    const state = viaJson(first.exportState());
    await first.close();

    const second = await startHubSpotSimulator();
    try {
      second.importState(state);
      const read = await json(`${second.url}/crm/v3/objects/deals/${created.body.id}?associations=companies`, { headers: { authorization: `Bearer ${install!.accessToken}` } });
      expect(read).toMatchObject({ status: 200, body: { properties: { dealname: 'Kept across restarts' } } });
      const seededDeal = (await json(`${second.url}/_sim/hubspot/accounts/${portal}/objects/deals?dealname=${encodeURIComponent('ABC LLC - Schematic design')}`)).body.results[0];
      const again = await json(`${second.url}/_sim/hubspot/accounts/${portal}/objects/deals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { dealname: 'Made after the restart', pipeline: 'default', dealstage: 'appointmentscheduled' } }),
      });
      expect(BigInt(again.body.id)).toBeGreaterThan(BigInt(created.body.id));
      const associations = await json(`${second.url}/crm/v4/objects/deals/${seededDeal.id}/associations/companies`, { headers: { authorization: `Bearer ${install!.accessToken}` } });
      expect(associations.body.results).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
