import { startHubSpotSimulator, type HubSpotSimulator } from './hubspot';
import { startQuickbooksSimulator, type QuickbooksSimulator } from './quickbooks';

/** A reset goes back to the seeded start but keeps what the app developer configured (the sandbox's wiring). */
describe('simulator reset', () => {
  let qbo: QuickbooksSimulator;
  let hubspot: HubSpotSimulator;

  beforeAll(async () => {
    qbo = await startQuickbooksSimulator();
    hubspot = await startHubSpotSimulator();
  });
  afterAll(async () => {
    await qbo?.close();
    await hubspot?.close();
  });

  const post = (url: string, body: unknown = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('When the QBO simulator is reset, then its webhook target stays as configured', async () => {
    await post(`${qbo.url}/_sim/webhooks/config`, { url: 'http://127.0.0.1:9/webhooks/quickbooks', verifierToken: 'v-token', format: 'legacy' });
    expect((await post(`${qbo.url}/_sim/reset`)).status).toBe(204);
    const config = (await (await fetch(`${qbo.url}/_sim/webhooks/config`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ url: 'http://127.0.0.1:9/webhooks/quickbooks', format: 'legacy' });
  });

  it('When the HubSpot simulator is reset, then the demo records come back with the same ids', async () => {
    const dealsUrl = (portalId: number) => `${hubspot.url}/_sim/hubspot/accounts/${portalId}/objects/deals`;
    const ids = async () => {
      const [account] = hubspot.accounts.list();
      const body = (await (await fetch(dealsUrl(account!.portalId))).json()) as { results?: Array<{ id: string }> } | Array<{ id: string }>;
      return (Array.isArray(body) ? body : body.results ?? []).map((d) => d.id).sort();
    };
    const before = await ids();
    expect(before.length).toBeGreaterThan(0);
    expect((await post(`${hubspot.url}/_sim/reset`)).status).toBe(204);
    expect(await ids()).toEqual(before);
  });

  it('When an unknown control route is called, then both simulators answer 404 rather than an API auth error', async () => {
    for (const url of [`${qbo.url}/_sim/no-such-thing`, `${hubspot.url}/_sim/no-such-thing`]) {
      const response = await fetch(url);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'no such control route' });
    }
  });
});
