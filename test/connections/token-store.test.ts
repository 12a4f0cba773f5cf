import OAuthClient from 'intuit-oauth';
import { ConnectionBlockedError } from '../../server/src/errors';
import { DATABASE_KIND } from '../support/harness';
import { connectDirect, installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';

/**
 * The one refresh algorithm (server/src/connections/token-store.ts), run for both kinds of grant DealBooks holds:
 * a QuickBooks connection and a HubSpot install. Each provider below says only what differs (how long its access
 * tokens live, how to make the simulator refuse or fail, where the row is); the expectations are the same for both.
 * Time moves on the shared simulator clock; nothing sleeps. The cross-process case is multi-process-refresh.test.ts.
 */
interface Account {
  portalId: number;
  realmId: string;
}

interface Provider {
  name: 'quickbooks' | 'hubspot';
  /** How long the provider's access tokens live. */
  lifetimeMs: number;
  accessToken(world: World, portalId: number, options?: { newerThan?: number }): Promise<{ token: string; version: number }>;
  /** What else a token says about the grant it belongs to. */
  tokenShape(account: Account): object;
  /** One real API call for the account through DealBooks' client (which retries once after a 401); true when it worked. */
  callApi(world: World, account: Account): Promise<boolean>;
  /** Refreshes the simulator has granted for the account so far. */
  refreshes(world: World, account: Account): Promise<number>;
  /** The simulator stops accepting the access tokens it issued (they are not expired by DealBooks' clock). */
  expireAtProvider(world: World, account: Account): Promise<void>;
  /** The grant dies at the provider (the person disconnected or uninstalled there): the next refresh is invalid_grant. */
  killGrant(world: World, account: Account): Promise<void>;
  /** The token endpoint fails once for a reason that may pass; returns an undo. */
  failTokenEndpointOnce(world: World): Promise<() => void>;
  transientMessage: RegExp;
  blocked: { provider: 'quickbooks' | 'hubspot'; state: 'needs_reconnect' | 'uninstalled' };
  /** What a person sees on the grant's row after the provider killed it. */
  expectMarkedBlocked(world: World, account: Account): Promise<void>;
  /** The status of a grant in use. */
  usableStatus: string;
  /** The grant's row: its status, failed attempts, last error and the sealed tokens opened. */
  row(world: World, account: Account): Promise<{ status: string; failedRefreshCount: number; lastError: string | null; access: string; refresh: string }>;
  /** Expects the stored refresh token to be the one the simulator holds for the grant now. */
  expectRefreshTokenCurrent(world: World, account: Account, storedRefresh: string): Promise<void>;
}

type GrantRow = Awaited<ReturnType<Provider['row']>>;

/** A grant's row with its sealed tokens opened (`from`: the FROM and WHERE of the query, `$1` the account). */
async function grantRow(world: World, from: string, portalId: number, sealContext: (field: 'access' | 'refresh') => string): Promise<GrantRow> {
  const { rows } = await world.ctx.pool.query(`SELECT status, failed_refresh_count, last_error, access_token_cipher, refresh_token_cipher, key_id ${from}`, [portalId]);
  const r = rows[0];
  return {
    status: r.status,
    failedRefreshCount: r.failed_refresh_count,
    lastError: r.last_error,
    access: world.ctx.vault.open(r.access_token_cipher, r.key_id, sealContext('access')),
    refresh: world.ctx.vault.open(r.refresh_token_cipher, r.key_id, sealContext('refresh')),
  };
}

const quickbooks: Provider = {
  name: 'quickbooks',
  lifetimeMs: 3600_000,
  accessToken: (world, portalId, options) => world.ctx.quickbooks.connections.accessToken(portalId, options),
  tokenShape: ({ realmId }) => ({ realmId }),
  callApi: async (world, { portalId, realmId }) => (await world.ctx.quickbooks.api.get(portalId, `/companyinfo/${realmId}`)).status === 200,
  refreshes: async (world, { realmId }) => (await world.control('quickbooks', `/oauth/counters?realmId=${realmId}`)).refreshCalls as number,
  expireAtProvider: async (world, { realmId }) => void (await world.control('quickbooks', '/oauth/expire-access-tokens', { realmId })),
  killGrant: async (world, { realmId }) => void (await world.control('quickbooks', '/oauth/revoke', { realmId })),
  failTokenEndpointOnce: async (world) => {
    const saved = { ...OAuthClient.retryConfig };
    OAuthClient.retryConfig.retryDelay = 1; // intuit-oauth's own retries (1 s, 2 s, 4 s) would sleep for real
    // The first try and intuit-oauth's three retries: one failed refresh as DealBooks sees it.
    await world.control('quickbooks', '/faults', { path: '/oauth2/v1/tokens/bearer', method: 'POST', kind: 'status', status: 503, times: 4 });
    return () => void Object.assign(OAuthClient.retryConfig, saved);
  },
  transientMessage: /Intuit token request failed/,
  usableStatus: 'connected',
  blocked: { provider: 'quickbooks', state: 'needs_reconnect' },
  expectMarkedBlocked: async (world, { portalId }) => {
    const live = await world.ctx.quickbooks.connections.live(portalId);
    expect(live).toMatchObject({ status: 'needs_reconnect', failedRefreshCount: 1 });
    expect(live?.lastError).toMatch(/Reconnect QuickBooks/);
  },
  row: (world, { portalId, realmId }) =>
    grantRow(world, `FROM qbo_connections WHERE portal_id = $1 AND status <> 'disconnected'`, portalId, (field) => `qbo:${portalId}:${realmId}:${field}`),
  expectRefreshTokenCurrent: async (world, { realmId }, storedRefresh) => {
    // QBO rotates refresh tokens: the stored one must be the newest the simulator issued.
    const { grants } = (await world.control('quickbooks', '/oauth/grants')) as { grants: any[] };
    expect(`${storedRefresh.slice(0, 12)}…`).toBe(grants.find((g) => g.realmId === realmId && !g.revoked).refreshToken.prefix);
  },
};

const hubspot: Provider = {
  name: 'hubspot',
  lifetimeMs: 30 * 60_000,
  accessToken: (world, portalId, options) => world.ctx.hubspot.installs.accessToken(portalId, options),
  tokenShape: () => ({}),
  callApi: async (world, { portalId }) => (await world.ctx.hubspot.installs.call(portalId, (client) => client.crm.deals.basicApi.getPage(1))).results.length === 1,
  refreshes: async (world, { portalId }) => (await world.control('hubspot', '/oauth/installs')).counters[String(portalId)]?.refreshes ?? 0,
  expireAtProvider: async (world, { portalId }) => void (await world.control('hubspot', '/oauth/expire-access-tokens', { portalId })),
  killGrant: async (world, { portalId }) => {
    const { token } = await world.ctx.hubspot.installs.accessToken(portalId);
    await world.ctx.hubspot.oauth.uninstall(token);
  },
  failTokenEndpointOnce: async (world) => {
    await world.control('hubspot', '/faults', { path: '/oauth/2026-03/token', method: 'POST', kind: 'status', status: 503, times: 1 });
    return () => undefined;
  },
  transientMessage: /HubSpot token request failed \(HTTP 503/,
  usableStatus: 'active',
  blocked: { provider: 'hubspot', state: 'uninstalled' },
  expectMarkedBlocked: async (world, { portalId }) => {
    expect(await world.ctx.hubspot.installs.get(portalId)).toMatchObject({ status: 'uninstalled', credentialStatus: 'revoked' });
    const { rows } = await world.ctx.pool.query('SELECT failed_refresh_count FROM hubspot_credentials WHERE portal_id = $1', [portalId]);
    expect(rows[0].failed_refresh_count).toBe(1);
  },
  row: (world, { portalId }) => grantRow(world, 'FROM hubspot_credentials WHERE portal_id = $1', portalId, (field) => `hubspot:${portalId}:${field}`),
  expectRefreshTokenCurrent: async (world, _account, storedRefresh) => {
    // HubSpot keeps the refresh token across refreshes; the stored one must still be live at the simulator.
    await expect(world.ctx.hubspot.oauth.refresh(storedRefresh, world.ctx.clock.now())).resolves.toMatchObject({ refreshToken: storedRefresh });
  },
};

describe.each([quickbooks, hubspot])(`token store: $name grants (${DATABASE_KIND})`, (provider) => {
  let world: World;
  /** Set once the world is up, so a failed setup is not followed by a second, misleading failure. */
  let started: World | undefined;
  let account: Account;

  beforeEach(async () => {
    started = undefined;
    world = started = await startWorld();
    const portalId = await installDirect(world);
    account = { portalId, ...(await connectDirect(world, portalId)) };
  });
  afterEach(() => started?.close());

  it('When eight callers in one process need the token at its expiry, then the provider sees exactly one refresh and all get the new, stored token', async () => {
    const before = await provider.accessToken(world, account.portalId);
    const refreshesBefore = await provider.refreshes(world, account);
    await world.clock.advance(provider.lifetimeMs + 60_000);

    const tokens = await Promise.all(Array.from({ length: 8 }, () => provider.accessToken(world, account.portalId)));

    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokens[0]!.token).not.toBe(before.token);
    expect(tokens.map((t) => t.version)).toEqual(Array(8).fill(before.version + 1));
    expect((await provider.refreshes(world, account)) - refreshesBefore).toBe(1);
    const row = await provider.row(world, account);
    expect(row.access).toBe(tokens[0]!.token);
    await provider.expectRefreshTokenCurrent(world, account, row.refresh);
  });

  it('When the provider refuses a token DealBooks thought valid (401), then many callers asking for a newer one cause one refresh and every call succeeds', async () => {
    const refreshesBefore = await provider.refreshes(world, account);
    const before = await provider.accessToken(world, account.portalId);
    await provider.expireAtProvider(world, account);

    expect(await Promise.all(Array.from({ length: 8 }, () => provider.callApi(world, account)))).toEqual(Array(8).fill(true));
    expect((await provider.refreshes(world, account)) - refreshesBefore).toBe(1);

    // A caller still holding the refused version gets the newer token without another refresh.
    const newer = await provider.accessToken(world, account.portalId, { newerThan: before.version });
    expect(newer.version).toBe(before.version + 1);
    expect((await provider.refreshes(world, account)) - refreshesBefore).toBe(1);
  });

  it('When the provider answers invalid_grant, then the grant is marked as needing a person and callers get ConnectionBlockedError', async () => {
    await provider.killGrant(world, account);
    await world.clock.advance(provider.lifetimeMs + 60_000);

    const refused = provider.accessToken(world, account.portalId);
    await expect(refused).rejects.toBeInstanceOf(ConnectionBlockedError);
    await expect(refused).rejects.toMatchObject({ ...provider.blocked, portalId: account.portalId });
    await provider.expectMarkedBlocked(world, account);
    // Blocked until a person acts: the next caller is refused from the stored state, without asking the provider.
    await expect(provider.accessToken(world, account.portalId)).rejects.toMatchObject(provider.blocked);
    await provider.expectMarkedBlocked(world, account);
  });

  it('When the token endpoint fails for a passing reason, then the failure is counted, the grant is kept, and the next call refreshes', async () => {
    const undo = await provider.failTokenEndpointOnce(world);
    try {
      const before = await provider.accessToken(world, account.portalId);
      await world.clock.advance(provider.lifetimeMs + 60_000);

      await expect(provider.accessToken(world, account.portalId)).rejects.toThrow(provider.transientMessage);
      expect(await provider.row(world, account)).toMatchObject({
        status: provider.usableStatus,
        failedRefreshCount: 1,
        lastError: expect.stringMatching(provider.transientMessage),
        access: before.token,
      });

      const next = await provider.accessToken(world, account.portalId);
      expect(next).toMatchObject({ version: before.version + 1, ...provider.tokenShape(account) });
      expect(await provider.row(world, account)).toMatchObject({ status: provider.usableStatus, failedRefreshCount: 0, lastError: null, access: next.token });
    } finally {
      undo();
    }
  });
});
