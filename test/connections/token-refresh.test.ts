import { randomBytes } from 'node:crypto';
import { keyIdOf, TokenVault } from '../../server/src/security/token-vault';
import { buildContext } from '../../server/src/service';
import { QuickbooksConnections } from '../../server/src/connections/quickbooks-connections';
import { IntuitOAuth } from '../../server/src/quickbooks/intuit-oauth';
import { ConnectionBlockedError } from '../../server/src/errors';
import { KEEP_ALIVE_IDLE_MS, runKeepAlive } from '../../server/src/connections/keep-alive';
import { COMPANY_FACTS_QUEUE } from '../../server/src/jobs/connection-jobs';
import { DATABASE_KIND, TEST_ENCRYPTION_KEY } from '../support/harness';
import { connectDirect, installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';

/**
 * Token life over months: refresh before expiry, rotation saved, a dead grant turned into "needs reconnect" with its
 * work waiting, a hung token call, HubSpot's retry after a 401, key rotation and the keep-alive schedule for idle
 * grants. What the refresh algorithm does for both providers alike (one refresh for many callers, after a 401 too,
 * invalid_grant, a passing failure) is token-store.test.ts. Time moves on the shared simulator clock; nothing sleeps.
 */
const HOUR = 3600_000;

describe(`token refresh (${DATABASE_KIND})`, () => {
  let world: World;
  let portalId: number;
  let realmId: string;

  beforeEach(async () => {
    world = await startWorld();
    portalId = await installDirect(world);
    ({ realmId } = await connectDirect(world, portalId));
  });
  afterEach(() => world.close());

  const refreshCalls = async () => (await world.control('quickbooks', `/oauth/counters?realmId=${realmId}`)).refreshCalls as number;
  const storedRefreshToken = async () => {
    const { rows } = await world.ctx.pool.query('SELECT refresh_token_cipher, key_id FROM qbo_connections WHERE portal_id = $1', [portalId]);
    return world.ctx.vault.open(rows[0].refresh_token_cipher, rows[0].key_id, `qbo:${portalId}:${realmId}:refresh`);
  };
  // The simulator shows only a 12-character prefix; two tokens can share one (two random digits, then the expiry).
  const storedRefreshPrefix = async () => `${(await storedRefreshToken()).slice(0, 12)}…`;
  const simRefreshPrefix = async () => {
    const { grants } = (await world.control('quickbooks', '/oauth/grants')) as { grants: any[] };
    return grants.find((g: any) => g.realmId === realmId && !g.revoked).refreshToken.prefix as string;
  };

  it('When the access token is fresh, then it is used as stored and QuickBooks sees no refresh', async () => {
    const before = await refreshCalls();
    const first = await world.ctx.quickbooks.connections.accessToken(portalId);
    await world.ctx.quickbooks.api.get(portalId, `/companyinfo/${realmId}`);
    expect((await world.ctx.quickbooks.connections.accessToken(portalId)).token).toBe(first.token);
    expect(await refreshCalls()).toBe(before);
  });

  it('When the access token is about to expire, then it is refreshed first and the rotated refresh token is stored sealed', async () => {
    const before = await world.ctx.quickbooks.connections.accessToken(portalId);
    const oldRefresh = await storedRefreshToken();
    await world.clock.advance(56 * 60_000); // 4 minutes left: inside the refresh margin
    const after = await world.ctx.quickbooks.connections.accessToken(portalId);
    expect(after.token).not.toBe(before.token);
    expect(after.version).toBe(before.version + 1);
    expect(await refreshCalls()).toBe(1);
    expect(await storedRefreshPrefix()).toBe(await simRefreshPrefix());
    expect(await storedRefreshToken()).not.toBe(oldRefresh);
    const { rows } = await world.ctx.pool.query('SELECT refresh_token_cipher, access_token_cipher FROM qbo_connections WHERE portal_id = $1', [portalId]);
    expect(Buffer.from(rows[0].access_token_cipher).includes(Buffer.from(after.token))).toBe(false);
    const info = await world.ctx.quickbooks.api.get(portalId, `/companyinfo/${realmId}`);
    expect(info.intuitTid).toBeTruthy();
  });

  it('When QuickBooks stops accepting the refresh token, then the connection needs a reconnect, a queued job waits, and it completes after reconnecting', async () => {
    await world.control('quickbooks', '/oauth/revoke', { realmId }); // the user disconnected DealBooks inside QuickBooks
    await world.clock.advance(HOUR + 60_000);
    const jobId = await world.ctx.jobs.send(COMPANY_FACTS_QUEUE, { portalId });

    expect(await world.ctx.jobs.runNext(COMPANY_FACTS_QUEUE)).toBe('waiting');
    const live = await world.ctx.quickbooks.connections.live(portalId);
    expect(live?.status).toBe('needs_reconnect');
    expect(live?.lastError).toMatch(/Reconnect QuickBooks/);
    await expect(world.ctx.quickbooks.connections.accessToken(portalId)).rejects.toBeInstanceOf(ConnectionBlockedError);
    // Still queued: neither failed nor lost, and not run again before a person acts.
    expect(await world.ctx.jobs.waitingCount(portalId)).toBe(1);
    expect(await world.ctx.jobs.runNext(COMPANY_FACTS_QUEUE)).toBe('idle');
    expect(await world.ctx.jobs.deadLetters({ queue: COMPANY_FACTS_QUEUE })).toEqual([]);
    expect((await world.ctx.jobs.getJob(COMPANY_FACTS_QUEUE, jobId!))?.state).toBe('completed'); // handed to its waiting copy

    await connectDirect(world, portalId); // reconnect the same company: wakes the waiting job
    expect(await world.ctx.jobs.runNext(COMPANY_FACTS_QUEUE)).toBe('completed');
    expect(await world.ctx.jobs.waitingCount(portalId)).toBe(0);
    expect((await world.ctx.quickbooks.connections.live(portalId))?.companyName).toBeTruthy();
  });

  it('When Intuit hangs on a refresh, then DealBooks gives up within its bound, keeps the connection and the lock, and the next try succeeds', async () => {
    const connections = new QuickbooksConnections({
      pool: world.ctx.pool,
      vault: world.ctx.vault,
      oauth: new IntuitOAuth(world.ctx.config, 250),
      clock: world.ctx.clock,
      logger: world.ctx.logger,
      environment: 'sandbox',
    });
    await world.control('quickbooks', '/faults', { path: '/oauth2/v1/tokens/bearer', method: 'POST', kind: 'hang', times: 1 });
    await world.clock.advance(HOUR + 60_000);
    await expect(connections.accessToken(portalId)).rejects.toThrow(/did not answer the token refresh within 250 ms/);
    expect(await world.ctx.quickbooks.connections.live(portalId)).toMatchObject({ status: 'connected', failedRefreshCount: 1 });
    // The row lock was released with the transaction: the next refresh is not stuck behind the hung one.
    await expect(connections.accessToken(portalId)).resolves.toMatchObject({ realmId });
  });

  it('When a HubSpot token expires, then it is refreshed and calls keep working', async () => {
    const before = await world.ctx.hubspot.installs.accessToken(portalId);
    await world.clock.advance(26 * 60_000);
    const after = await world.ctx.hubspot.installs.accessToken(portalId);
    expect(after.token).not.toBe(before.token);
    const client = await world.ctx.hubspot.installs.client(portalId);
    await expect(client.crm.deals.basicApi.getPage(1)).resolves.toBeDefined();
  });

  it('When HubSpot answers 401 to a token DealBooks thought valid, then the calls run once more with a refreshed token', async () => {
    const hubspotRefreshes = async () => (await world.control('hubspot', '/oauth/installs')).counters[String(portalId)]?.refreshes ?? 0;
    const before = await hubspotRefreshes();
    await world.control('hubspot', '/oauth/expire-access-tokens', { portalId });
    let calls = 0;
    const page = await world.ctx.hubspot.installs.call(portalId, (client) => {
      calls += 1;
      return client.crm.deals.basicApi.getPage(1);
    });
    expect(page.results.length).toBe(1);
    expect(calls).toBe(2);
    expect((await hubspotRefreshes()) - before).toBe(1);
  });

  it('When the encryption key rotates, then the next keep-alive re-seals every token under the new key and they still work', async () => {
    const newKey = randomBytes(32);
    const rotated = buildContext({
      config: world.ctx.config,
      logger: world.ctx.logger,
      pool: world.ctx.pool,
      jobs: world.ctx.jobs,
      clock: world.ctx.clock,
      vault: new TokenVault([newKey, Buffer.from(TEST_ENCRYPTION_KEY, 'base64')]),
    });
    const keyIds = async () =>
      (await world.ctx.pool.query(`SELECT key_id FROM qbo_connections WHERE portal_id = $1 UNION ALL SELECT key_id FROM hubspot_credentials WHERE portal_id = $1`, [portalId])).rows.map((r) => r.key_id);
    expect(new Set(await keyIds())).toEqual(new Set([world.ctx.vault.currentKeyId]));
    // Still readable under the rotated vault before anything is re-sealed.
    await expect(rotated.quickbooks.connections.accessToken(portalId)).resolves.toMatchObject({ realmId });
    const report = await runKeepAlive(rotated);
    expect(report).toMatchObject({ quickbooks: { refreshed: 1 }, hubspot: { refreshed: 1 } });
    expect(new Set(await keyIds())).toEqual(new Set([keyIdOf(newKey)]));
    await expect(rotated.quickbooks.api.get(portalId, `/companyinfo/${realmId}`)).resolves.toMatchObject({ status: 200 });
    // A second run has nothing left to re-seal.
    expect((await runKeepAlive(rotated)).quickbooks.refreshed).toBe(0);
  });

  it('When a grant sits idle for a week, then the keep-alive schedule refreshes it and queues a fresh read of the company', async () => {
    expect((await runKeepAlive(world.ctx)).quickbooks.refreshed).toBe(0);
    await world.clock.advance(KEEP_ALIVE_IDLE_MS + HOUR);
    const report = await runKeepAlive(world.ctx);
    expect(report).toMatchObject({ quickbooks: { refreshed: 1, needReconnect: 0 }, hubspot: { refreshed: 1, uninstalled: 0 } });
    expect(report.companyFactsQueued).toBeGreaterThanOrEqual(1);
    expect(await refreshCalls()).toBe(1);
    expect(await world.ctx.jobs.runNext(COMPANY_FACTS_QUEUE)).toBe('completed');
  });
});
