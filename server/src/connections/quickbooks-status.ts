import type { AppContext } from '../context';
import { blockedMessage, ConnectionBlockedError, RefreshFailedError } from '../errors';
import { QuickbooksApiError } from '../quickbooks/api';
import type { ConnectionView } from './quickbooks-connections';

/**
 * What the settings page asks about the account's QuickBooks connection once it exists: its status (in words, with
 * the action that fixes a problem), a real test call, and disconnecting.
 */

export interface QuickbooksStatus {
  status: 'not_connected' | 'connected' | 'needs_reconnect' | 'disconnected';
  company: CompanySummary | null;
  connectedAt: Date | null;
  connectedBy: string | null;
  lastRefreshedAt: Date | null;
  refreshExpiresAt: Date | null;
  disconnectedAt: Date | null;
  problem: string | null;
  action: { label: 'Connect QuickBooks' | 'Reconnect QuickBooks'; method: 'POST'; path: '/api/quickbooks/connect-url' } | null;
  waitingJobs: number;
}

export interface CompanySummary {
  realmId: string;
  name: string | null;
  homeCurrency: string | null;
  multicurrencyEnabled: boolean | null;
  bookCloseDate: string | null;
  customTxnNumbers: boolean | null;
  country: string | null;
}

/** Reconnect before Intuit's 5-year hard limit (or the rolling refresh expiry) runs out, not after. */
const EXPIRY_WARNING_MS = 30 * 24 * 3600_000;

export async function quickbooksStatus(ctx: AppContext, portalId: number): Promise<QuickbooksStatus> {
  const [connection, waitingJobs] = await Promise.all([ctx.quickbooks.connections.latest(portalId), ctx.jobs.waitingCount(portalId)]);
  const action = (label: 'Connect QuickBooks' | 'Reconnect QuickBooks') => ({ label, method: 'POST' as const, path: '/api/quickbooks/connect-url' as const });
  if (!connection) {
    return {
      status: 'not_connected',
      company: null,
      connectedAt: null,
      connectedBy: null,
      lastRefreshedAt: null,
      refreshExpiresAt: null,
      disconnectedAt: null,
      problem: blockedMessage('quickbooks', 'not_connected'),
      action: action('Connect QuickBooks'),
      waitingJobs,
    };
  }
  const base = {
    company: companySummary(connection),
    connectedAt: connection.connectedAt,
    connectedBy: connection.connectedByUserEmail,
    lastRefreshedAt: connection.lastRefreshedAt,
    refreshExpiresAt: connection.refreshExpiresAt,
    disconnectedAt: connection.disconnectedAt,
    waitingJobs,
  };
  if (connection.status === 'needs_reconnect') {
    const reason = connection.lastError ? ` (${connection.lastError})` : '';
    return { ...base, status: 'needs_reconnect', problem: `${blockedMessage('quickbooks', 'needs_reconnect')}${reason}`, action: action('Reconnect QuickBooks') };
  }
  if (connection.status === 'disconnected') {
    const when = connection.disconnectedAt ? ` on ${connection.disconnectedAt.toISOString().slice(0, 10)}` : '';
    return {
      ...base,
      status: 'disconnected',
      problem: `QuickBooks (${connection.companyName ?? connection.realmId}) was disconnected${when}. Connect QuickBooks in the DealBooks settings to sync again.`,
      action: action('Connect QuickBooks'),
    };
  }
  const now = ctx.clock.now().getTime();
  const expiries = [connection.refreshExpiresAt, connection.refreshHardExpiresAt].filter((d): d is Date => d !== null);
  const soonest = expiries.sort((a, b) => a.getTime() - b.getTime())[0];
  if (soonest && soonest.getTime() - now < EXPIRY_WARNING_MS) {
    return {
      ...base,
      status: 'connected',
      problem: `The QuickBooks authorization expires on ${soonest.toISOString().slice(0, 10)}. Reconnect QuickBooks before then so syncing does not stop.`,
      action: action('Reconnect QuickBooks'),
    };
  }
  if (connection.failedRefreshCount > 0) {
    return {
      ...base,
      status: 'connected',
      problem: `DealBooks could not renew its QuickBooks access ${connection.failedRefreshCount} time(s) in a row${connection.lastError ? ` (${connection.lastError})` : ''}. It will keep trying; if this does not clear within a day, reconnect QuickBooks.`,
      action: null,
    };
  }
  return { ...base, status: 'connected', problem: null, action: null };
}

export type TestResult =
  | { ok: true; company: { realmId: string; name: string | null; country: string | null }; intuitTid: string | null; checkedAt: Date }
  | { ok: false; kind: 'blocked'; status: 'not_connected' | 'needs_reconnect'; message: string }
  | { ok: false; kind: 'failed'; message: string; intuitTid: string | null };

/** A cheap real call (CompanyInfo) with the stored connection, refreshing its token if needed. */
export async function testConnection(ctx: AppContext, portalId: number): Promise<TestResult> {
  const log = ctx.logger.child({ component: 'quickbooks-connect', portalId });
  const live = await ctx.quickbooks.connections.live(portalId);
  if (!live) return { ok: false, kind: 'blocked', status: 'not_connected', message: blockedMessage('quickbooks', 'not_connected') };
  try {
    const res = await ctx.quickbooks.api.get<{ CompanyInfo?: { CompanyName?: string; Country?: string } }>(portalId, `/companyinfo/${encodeURIComponent(live.realmId)}`);
    return {
      ok: true,
      company: { realmId: live.realmId, name: res.json.CompanyInfo?.CompanyName ?? live.companyName, country: res.json.CompanyInfo?.Country ?? live.country },
      intuitTid: res.intuitTid ?? null,
      checkedAt: ctx.clock.now(),
    };
  } catch (err) {
    if (err instanceof ConnectionBlockedError && err.state !== 'uninstalled') {
      return { ok: false, kind: 'blocked', status: err.state, message: err.message };
    }
    if (err instanceof QuickbooksApiError) {
      log.warn({ realmId: live.realmId, status: err.status, code: err.code, intuitTid: err.intuitTid }, 'QuickBooks connection test failed');
      return { ok: false, kind: 'failed', message: `${err.message}. Try again in a few minutes; if it keeps failing, reconnect QuickBooks.`, intuitTid: err.intuitTid ?? null };
    }
    if (err instanceof RefreshFailedError) {
      log.warn({ realmId: live.realmId, reason: err.message }, 'QuickBooks connection test failed: the token could not be renewed');
      return { ok: false, kind: 'failed', message: `DealBooks could not renew its QuickBooks access (${err.message}). Try again in a few minutes.`, intuitTid: null };
    }
    log.warn({ realmId: live.realmId, reason: describe(err) }, 'QuickBooks connection test failed: QuickBooks could not be reached');
    return { ok: false, kind: 'failed', message: 'QuickBooks could not be reached. Try again in a few minutes.', intuitTid: null };
  }
}

export interface DisconnectResult {
  status: 'disconnected' | 'not_connected';
  /** False when there was nothing to disconnect (a repeated call). */
  disconnected: boolean;
  /** Whether Intuit confirmed the revocation (null when nothing was revoked). */
  revoked: boolean | null;
  company: CompanySummary | null;
  message: string;
}

/** Forgets the tokens (the row stays, as history) and revokes the grant at Intuit. Safe to repeat. */
export async function disconnect(ctx: AppContext, portalId: number): Promise<DisconnectResult> {
  const log = ctx.logger.child({ component: 'quickbooks-connect', portalId });
  // Forgotten first, in its own committed transaction: whatever Intuit answers, DealBooks holds no token afterwards.
  const forgotten = await ctx.quickbooks.connections.disconnect(portalId);
  if (!forgotten) {
    const latest = await ctx.quickbooks.connections.latest(portalId);
    return {
      status: latest ? 'disconnected' : 'not_connected',
      disconnected: false,
      revoked: null,
      company: latest ? companySummary(latest) : null,
      message: 'QuickBooks is not connected; there was nothing to disconnect.',
    };
  }
  const { connection } = forgotten;
  const name = connection.companyName ?? `company ${connection.realmId}`;
  let revokeProblem: string | null = null;
  if (!forgotten.refreshToken) {
    revokeProblem = 'the saved authorization could not be read';
  } else {
    try {
      await ctx.quickbooks.oauth.revoke(forgotten.refreshToken);
    } catch (err) {
      revokeProblem = describe(err);
    }
  }
  log.info({ realmId: connection.realmId, connectionId: connection.id, revoked: revokeProblem === null, reason: revokeProblem ?? undefined }, 'QuickBooks disconnected');
  return {
    status: 'disconnected',
    disconnected: true,
    revoked: revokeProblem === null,
    company: companySummary(connection),
    message:
      revokeProblem === null
        ? `DealBooks is disconnected from ${name}, and its access was withdrawn at Intuit.`
        : `DealBooks is disconnected from ${name} and has deleted its QuickBooks tokens, but Intuit could not be told to withdraw the access (${revokeProblem}). ` +
          'To remove it by hand, sign in to QuickBooks, open Apps > My apps, and disconnect DealBooks.',
  };
}

function companySummary(c: ConnectionView): CompanySummary {
  return {
    realmId: c.realmId,
    name: c.companyName,
    homeCurrency: c.homeCurrency,
    multicurrencyEnabled: c.multicurrencyEnabled,
    bookCloseDate: c.bookCloseDate,
    customTxnNumbers: c.customTxnNumbers,
    country: c.country,
  };
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}
