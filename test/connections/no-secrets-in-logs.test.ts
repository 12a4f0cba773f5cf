import { COMPANY_FACTS_QUEUE } from '../../server/src/jobs/connection-jobs';
import { DEMO_USER } from '../simulators/hubspot/apps';
import { captureLogger, DATABASE_KIND, TEST_ENCRYPTION_KEY } from '../support/harness';
import { browse, startWorld, type World } from '../support/world';

/**
 * The whole life of a connection with every log line captured at the most verbose level: install, connect, API
 * calls, refresh on expiry and on a 401, a refused refresh, a reconnect, webhooks, disconnect. Not one token, code,
 * state, secret, signature or key may appear in any of them.
 */
describe(`no token or secret in the logs (${DATABASE_KIND})`, () => {
  let world: World;
  afterAll(() => world?.close());

  it('When a full install, connect, refresh, reconnect and disconnect runs, then no log line holds a token or a secret', async () => {
    const logs = captureLogger('trace');
    world = await startWorld({ logger: logs.logger });
    const secrets = new Set<string>();
    const remember = (value: string | undefined | null) => value && value.length >= 8 && secrets.add(value);
    const { config } = world.ctx;
    [config.hubspot.clientSecret, config.quickbooks.clientSecret, config.quickbooks.webhookVerifierToken, TEST_ENCRYPTION_KEY].forEach(remember);

    // The OAuth dances, with the codes and states they carry.
    const install = await browse(`${world.baseUrl}/oauth/hubspot/install`);
    expect(install.status).toBe(200);
    for (const url of install.visited) for (const [k, v] of new URL(url).searchParams) if (/code|state/.test(k)) remember(v);
    const portalId = world.sandbox.hubspot.portalId;
    const ticket = await world.card({ portalId, method: 'POST', path: '/api/quickbooks/connect-url', body: {} });
    expect(ticket.status).toBe(200);
    remember(new URL(ticket.body.url).searchParams.get('ticket'));
    const connect = await browse(ticket.body.url);
    expect(connect.status).toBe(200);
    for (const url of connect.visited) for (const [k, v] of new URL(url).searchParams) if (/code|state|ticket/.test(k)) remember(v);

    const rememberStoredTokens = async () => {
      const { rows } = await world.ctx.pool.query('SELECT portal_id, realm_id, access_token_cipher, refresh_token_cipher, key_id FROM qbo_connections WHERE refresh_token_cipher IS NOT NULL');
      for (const r of rows) {
        remember(world.ctx.vault.open(r.access_token_cipher, r.key_id, `qbo:${r.portal_id}:${r.realm_id}:access`));
        remember(world.ctx.vault.open(r.refresh_token_cipher, r.key_id, `qbo:${r.portal_id}:${r.realm_id}:refresh`));
      }
      const hs = await world.ctx.pool.query('SELECT portal_id, access_token_cipher, refresh_token_cipher, key_id FROM hubspot_credentials');
      for (const r of hs.rows) {
        remember(world.ctx.vault.open(r.access_token_cipher, r.key_id, `hubspot:${r.portal_id}:access`));
        remember(world.ctx.vault.open(r.refresh_token_cipher, r.key_id, `hubspot:${r.portal_id}:refresh`));
      }
    };
    await rememberStoredTokens();

    // Use, expire, refresh (on expiry and on a 401), and a webhook both ways.
    expect((await world.card({ portalId, method: 'POST', path: '/api/quickbooks/test', body: {} })).status).toBe(200);
    await world.clock.advance(3600_000 + 60_000);
    await world.ctx.jobs.send(COMPANY_FACTS_QUEUE, { portalId });
    expect(await world.ctx.jobs.runNext(COMPANY_FACTS_QUEUE)).toBe('completed');
    await rememberStoredTokens();
    const { realmId } = world.sandbox.quickbooks;
    await world.control('quickbooks', '/oauth/expire-access-tokens', { realmId });
    expect((await world.card({ portalId, method: 'POST', path: '/api/quickbooks/test', body: {} })).status).toBe(200);
    await rememberStoredTokens();
    await world.clock.advance(31 * 60_000);
    await world.ctx.hubspot.installs.accessToken(portalId);
    await rememberStoredTokens();

    // A refused refresh, then a reconnect.
    await world.control('quickbooks', '/oauth/revoke', { realmId });
    await world.clock.advance(3600_000 + 60_000);
    expect((await world.card({ portalId, method: 'GET', path: '/api/quickbooks/status' })).body.status).toBe('connected');
    expect((await world.card({ portalId, method: 'POST', path: '/api/quickbooks/test', body: {} })).status).toBe(409);
    const again = await world.card({ portalId, method: 'POST', path: '/api/quickbooks/connect-url', body: {} });
    remember(new URL(again.body.url).searchParams.get('ticket'));
    const reconnect = await browse(again.body.url);
    expect(reconnect.status).toBe(200);
    for (const url of reconnect.visited) for (const [k, v] of new URL(url).searchParams) if (/code|state|ticket/.test(k)) remember(v);
    await rememberStoredTokens();

    // A signed request that is refused (its signature must not be echoed either), then disconnect.
    const forged = await fetch(`${world.baseUrl}/api/quickbooks/status?portalId=${portalId}`, {
      headers: { 'x-hubspot-signature-v3': 'Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZS0xMjM0NTY3OA==', 'x-hubspot-request-timestamp': String(world.clock.nowMs()) },
    });
    expect(forged.status).toBe(401);
    remember('Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZS0xMjM0NTY3OA==');
    expect((await world.card({ portalId, method: 'POST', path: '/api/quickbooks/disconnect', body: {} })).status).toBe(200);

    const text = logs.text();
    expect(text.length).toBeGreaterThan(1000);
    expect(secrets.size).toBeGreaterThan(12);
    const leaked = [...secrets].filter((s) => text.includes(s));
    expect(leaked).toEqual([]);
    // Nor the e-mail of the HubSpot user that HubSpot appends to every card request (personal data).
    expect(text).not.toContain(DEMO_USER.userEmail);
    expect(text).not.toContain(encodeURIComponent(DEMO_USER.userEmail));
  });
});
