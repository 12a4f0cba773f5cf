import { blockedMessage, ConnectionBlockedError, GrantRevokedError, RefreshFailedError } from '../errors';
import { STATE_TTL_MS, type ConsumeResult } from '../connections/oauth-states';
import type { AppContext } from '../context';
import type { Page } from '../http/pages';
import { MINOR_VERSION, parseFault, QuickbooksApiError } from './api';
import { companyFacts } from './company-facts';
import type { CompanyFacts, ConnectionView } from './connections';
import type { IntuitTokens } from './intuit-oauth';

/**
 * Connecting a HubSpot account to its QuickBooks Online company, and what the settings page asks about that
 * connection afterwards. The flow has three legs, each bound to the account that started it:
 *
 * 1. A signed card request asks for a one-time connect URL (a "ticket": single use, 10 minutes). The settings page
 *    opens it in a new window, where no HubSpot signature can follow, so the ticket is what carries the account.
 * 2. Opening it consumes the ticket and sends the browser to Intuit with a fresh OAuth state bound to that account.
 * 3. Intuit's callback consumes the state. Only the state says which account is connecting: nothing in the callback's
 *    query can name another one.
 *
 * Nothing is stored until the grant works and the company's facts have been read with it. A grant DealBooks will
 * not keep (facts unreadable, another company than the one connected) is revoked at once, so no orphaned
 * connection is left in the person's QuickBooks "My apps" list.
 */

export interface ConnectAccount {
  portalId: number;
  userId?: number | null;
  userEmail?: string | null;
}

export type ConnectOutcome = { kind: 'redirect'; url: string } | { kind: 'page'; status: number; page: Page };

export const CONNECT_PATH = '/oauth/quickbooks/connect';
const SETTINGS_HINT = 'Open DealBooks in HubSpot (Settings > Connected apps > DealBooks) and choose "Connect QuickBooks" again.';

/** A one-time URL that starts the connection for this account. */
export async function createConnectUrl(ctx: AppContext, account: ConnectAccount): Promise<{ url: string; expiresAt: Date }> {
  // Taken before the row is written, so the promised expiry is never later than the stored one.
  const expiresAt = new Date(ctx.clock.now().getTime() + STATE_TTL_MS);
  const ticket = await ctx.states.create({
    provider: 'quickbooks',
    purpose: 'connect_ticket',
    portalId: account.portalId,
    userId: account.userId ?? null,
    userEmail: account.userEmail ?? null,
    redirectUri: `${ctx.config.publicBaseUrl}${CONNECT_PATH}`,
  });
  const url = new URL(`${ctx.config.publicBaseUrl}${CONNECT_PATH}`);
  url.searchParams.set('ticket', ticket);
  return { url: url.toString(), expiresAt };
}

/** Opens a connect URL: the browser goes on to Intuit, or sees a page that says why it cannot. */
export async function startConnect(ctx: AppContext, ticket: string | undefined): Promise<ConnectOutcome> {
  const consumed = await ctx.states.consume(ticket, { provider: 'quickbooks', purpose: 'connect_ticket' });
  if (!consumed.ok) return page(400, refusedLink('ticket', consumed.reason));
  const account = accountOf(consumed.state);
  if (!(await portalInstalled(ctx, account.portalId))) return page(403, notInstalled(account.portalId));
  const state = await ctx.states.create({
    provider: 'quickbooks',
    purpose: 'authorize',
    portalId: account.portalId,
    userId: account.userId,
    userEmail: account.userEmail,
    redirectUri: ctx.quickbooks.oauth.redirectUri,
  });
  return { kind: 'redirect', url: ctx.quickbooks.oauth.authorizeUrl(state) };
}

export interface CallbackInput {
  /** PUBLIC_BASE_URL + the path and query Intuit redirected to (what intuit-oauth reads the code from). */
  callbackUrl: string;
  code: string | undefined;
  state: string | undefined;
  realmId: string | undefined;
  error: string | undefined;
}

/** Intuit's callback: checks the state, exchanges the code, reads the company and stores the connection. */
export async function completeConnect(ctx: AppContext, input: CallbackInput): Promise<ConnectOutcome> {
  // The state is consumed first, whatever else the callback says: a cancelled attempt cannot be replayed either.
  const consumed = await ctx.states.consume(input.state, { provider: 'quickbooks', purpose: 'authorize' });
  if (!consumed.ok) return page(400, refusedLink('state', consumed.reason));
  const account = accountOf(consumed.state);
  const { portalId } = account;
  const log = ctx.logger.child({ component: 'quickbooks-connect', portalId });
  const retry = () => retryAction(ctx, account);

  if (!(await portalInstalled(ctx, portalId))) return page(403, notInstalled(portalId));

  if (input.error) {
    log.info({ error: input.error.slice(0, 100) }, 'QuickBooks consent was not given');
    if (input.error === 'access_denied') {
      return page(200, {
        title: 'QuickBooks was not connected',
        tone: 'info',
        paragraphs: ['You cancelled the connection on the QuickBooks page, so nothing was changed.', 'To connect QuickBooks, try again.'],
        actions: [await retry()],
      });
    }
    return page(400, {
      title: 'QuickBooks did not connect',
      tone: 'error',
      paragraphs: [`Intuit ended the connection with the error "${input.error.slice(0, 100)}". Nothing was changed.`, 'Try again; if it happens again, contact DealBooks support.'],
      actions: [await retry()],
    });
  }
  const realmId = input.realmId?.trim();
  if (!input.code || !realmId || !/^\d{1,32}$/.test(realmId)) {
    return page(400, {
      title: 'QuickBooks did not connect',
      tone: 'error',
      paragraphs: ['Intuit sent DealBooks back without an authorization code or a company id, so nothing was changed.', 'Try again.'],
      actions: [await retry()],
    });
  }

  let tokens: IntuitTokens;
  try {
    tokens = await ctx.quickbooks.oauth.exchange(input.callbackUrl, ctx.clock.now());
  } catch (err) {
    if (err instanceof GrantRevokedError) {
      log.warn({ realmId, reason: err.message }, 'Intuit refused the authorization code');
      return page(400, {
        title: 'QuickBooks did not connect',
        tone: 'error',
        paragraphs: [
          'Intuit refused the authorization code: it was invalid, had expired, or was already used (for example when the page was reloaded). Nothing was changed.',
          'Start the connection again.',
        ],
        actions: [await retry()],
      });
    }
    log.warn({ realmId, reason: err instanceof Error ? err.message : String(err) }, 'exchanging the QuickBooks authorization code failed');
    return page(502, {
      title: 'QuickBooks did not connect',
      tone: 'error',
      paragraphs: [
        'DealBooks could not finish the connection with Intuit (Intuit did not answer as expected). Nothing was changed.',
        'Try again in a few minutes.',
      ],
      actions: [await retry()],
    });
  }

  let facts: CompanyFacts;
  try {
    facts = await readCompanyFacts(ctx, tokens.accessToken, realmId, portalId);
  } catch (err) {
    await revokeQuietly(ctx, tokens.refreshToken, log, realmId);
    return page(502, {
      title: 'QuickBooks did not connect',
      tone: 'error',
      paragraphs: [
        `DealBooks could not read the company's settings from QuickBooks (${describe(err)}), so it did not keep the connection and withdrew the access you just gave.`,
        'Try again in a few minutes.',
      ],
      actions: [await retry()],
    });
  }

  const live = await ctx.quickbooks.connections.live(portalId);
  if (live && live.realmId !== realmId) {
    await revokeQuietly(ctx, tokens.refreshToken, log, realmId);
    log.info({ realmId, connectedRealmId: live.realmId }, 'QuickBooks connect refused: the account is connected to another company');
    return page(409, otherCompany(live, facts, realmId, await retry()));
  }

  let stored: ConnectionView;
  try {
    stored = await ctx.quickbooks.connections.store({
      portalId,
      realmId,
      tokens,
      facts,
      userId: account.userId,
      userEmail: account.userEmail,
    });
  } catch (err) {
    await revokeQuietly(ctx, tokens.refreshToken, log, realmId);
    if (isUniqueViolation(err)) {
      // Another callback for this account connected a different company between our check and our write.
      const winner = await ctx.quickbooks.connections.live(portalId);
      if (winner && winner.realmId !== realmId) return page(409, otherCompany(winner, facts, realmId, await retry()));
    }
    throw err;
  }

  let woken = 0;
  try {
    woken = await ctx.jobs.wake(portalId);
  } catch (err) {
    // The connection is stored; waiting jobs also look again on their own schedule.
    log.warn({ reason: describe(err) }, 'could not wake the jobs waiting for QuickBooks');
  }
  const reconnected = live !== undefined;
  log.info({ realmId, connectionId: stored.id, reconnected, woken }, reconnected ? 'QuickBooks reconnected' : 'QuickBooks connected');

  const name = stored.companyName ?? `company ${realmId}`;
  const paragraphs = [
    `HubSpot account ${portalId} is ${reconnected ? 'reconnected' : 'connected'} to the QuickBooks company ${name}. You can close this window and go back to HubSpot.`,
  ];
  if (woken > 0) paragraphs.push(`${woken} piece(s) of work that waited for QuickBooks will now run.`);
  if (stored.homeCurrency === null) paragraphs.push("QuickBooks did not say which home currency the company uses; DealBooks will check again before it writes there.");
  return page(200, {
    title: 'QuickBooks is connected',
    tone: 'success',
    paragraphs,
    facts: companyFactList(stored),
  });
}

/** What the settings page shows about the account's QuickBooks connection. */
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

// ---------------------------------------------------------------- helpers

function page(status: number, content: Page): ConnectOutcome {
  return { kind: 'page', status, page: content };
}

function accountOf(state: { portalId: number | null; userId: number | null; userEmail: string | null }): { portalId: number; userId: number | null; userEmail: string | null } {
  // The schema requires a portal for QuickBooks states; a row without one would be a bug, not a user's mistake.
  if (state.portalId === null) throw new Error('a QuickBooks OAuth state without an account');
  return { portalId: state.portalId, userId: state.userId, userEmail: state.userEmail };
}

async function portalInstalled(ctx: AppContext, portalId: number): Promise<boolean> {
  const { rows } = await ctx.pool.query<{ status: string }>('SELECT status FROM portals WHERE portal_id = $1', [portalId]);
  return rows[0]?.status === 'installed';
}

function notInstalled(portalId: number): Page {
  return {
    title: 'QuickBooks was not connected',
    tone: 'error',
    paragraphs: [`DealBooks is not installed in HubSpot account ${portalId}, so QuickBooks cannot be connected to it.`, 'Install DealBooks from the HubSpot marketplace, then connect QuickBooks from its settings.'],
  };
}

/** A ticket or state that cannot be used. It names no account DealBooks can trust, so the retry starts in HubSpot. */
function refusedLink(what: 'ticket' | 'state', reason: Exclude<ConsumeResult, { ok: true }>['reason']): Page {
  const link = what === 'ticket' ? 'This connect link' : 'This answer from QuickBooks';
  const why: Record<typeof reason, string> = {
    malformed: `${link} is incomplete or was not made by DealBooks.`,
    unknown: `${link} is not one DealBooks knows (it may have been cleaned up).`,
    used: `${link} was already used. Each link works once (a reloaded or reopened page lands here). If QuickBooks shows as connected in the DealBooks settings, there is nothing more to do.`,
    expired: `${link} expired: it works for 10 minutes.`,
    wrong_flow: `${link} belongs to another DealBooks step, not to connecting QuickBooks.`,
  };
  return { title: 'QuickBooks was not connected', tone: 'error', paragraphs: [why[reason], `Nothing was changed. ${SETTINGS_HINT}`] };
}

async function retryAction(ctx: AppContext, account: ConnectAccount): Promise<{ label: string; href: string }> {
  const { url } = await createConnectUrl(ctx, account);
  return { label: 'Try again', href: url };
}

function otherCompany(live: ConnectionView, picked: CompanyFacts, pickedRealmId: string, retry: { label: string; href: string }): Page {
  const connected = live.companyName ?? `company ${live.realmId}`;
  const chosen = picked.companyName ?? `company ${pickedRealmId}`;
  return {
    title: 'QuickBooks was not connected',
    tone: 'error',
    paragraphs: [
      `This HubSpot account is connected to ${connected} (realm ${live.realmId}), but you chose ${chosen} (realm ${pickedRealmId}).`,
      `Choose ${connected} on the QuickBooks page, or disconnect it first in the DealBooks settings in HubSpot. Nothing was changed, and the access you just gave to ${chosen} was withdrawn.`,
    ],
    actions: [retry],
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

const onOff = (value: boolean | null) => (value === null ? 'Unknown' : value ? 'On' : 'Off');

function companyFactList(c: ConnectionView): Array<[string, string]> {
  return [
    ['Company', c.companyName ?? 'Unknown'],
    ['Home currency', c.homeCurrency ?? 'Unknown'],
    ['Multicurrency', onOff(c.multicurrencyEnabled)],
    ['Books closed through', c.bookCloseDate ?? 'No closing date set'],
    ['Custom transaction numbers', onOff(c.customTxnNumbers)],
    ['Realm ID', c.realmId],
  ];
}

/** Revokes a grant DealBooks decided not to keep. A failure is logged (the grant then dies unused after 100 days). */
async function revokeQuietly(ctx: AppContext, refreshToken: string, log: AppContext['logger'], realmId: string): Promise<void> {
  try {
    await ctx.quickbooks.oauth.revoke(refreshToken);
  } catch (err) {
    log.warn({ realmId, reason: describe(err) }, 'could not revoke a QuickBooks grant DealBooks did not keep');
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

class CompanyReadError extends Error {
  override name = 'CompanyReadError';
}

/**
 * CompanyInfo and Preferences, read with a token that is not stored yet (so not through QuickbooksApi, which takes
 * the account's stored token).
 */
async function readCompanyFacts(ctx: AppContext, accessToken: string, realmId: string, portalId: number): Promise<CompanyFacts> {
  const log = ctx.logger.child({ component: 'quickbooks-connect', portalId, realmId });
  const read = async (path: string): Promise<unknown> => {
    const url = new URL(`${ctx.config.quickbooks.apiBaseUrl}/v3/company/${encodeURIComponent(realmId)}${path}`);
    url.searchParams.set('minorversion', MINOR_VERSION);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      log.warn({ path, reason: describe(err) }, 'reading the QuickBooks company failed: no answer');
      throw new CompanyReadError('QuickBooks did not answer');
    }
    const intuitTid = response.headers.get('intuit_tid') ?? undefined;
    const text = await response.text();
    if (!response.ok) {
      const fault = parseFault(text);
      log.warn({ path, status: response.status, code: fault.code, intuitTid }, 'reading the QuickBooks company failed');
      throw new CompanyReadError(`QuickBooks answered ${response.status}${fault.message ? `: ${fault.message.slice(0, 200)}` : ''}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      log.warn({ path, status: response.status, intuitTid }, 'reading the QuickBooks company failed: the answer is not JSON');
      throw new CompanyReadError('QuickBooks answered with something that is not JSON');
    }
  };
  const [info, preferences] = await Promise.all([read(`/companyinfo/${encodeURIComponent(realmId)}`), read('/preferences')]);
  try {
    return companyFacts(info, preferences);
  } catch {
    log.warn({}, 'reading the QuickBooks company failed: CompanyInfo or Preferences has an unexpected shape');
    throw new CompanyReadError('QuickBooks answered in an unexpected shape');
  }
}
