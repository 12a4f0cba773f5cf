import type { AppContext } from '../context';
import { portalInstalled } from '../db/portals';
import { GrantRevokedError } from '../errors';
import { QuickbooksApiError } from '../quickbooks/api';
import { companyFacts } from '../quickbooks/company-facts';
import type { CompanyFacts } from '../sync/model';
import type { ConnectionView } from './quickbooks-connections';
import type { IntuitTokens } from '../quickbooks/intuit-oauth';
import { STATE_TTL_MS, type ConsumeResult } from './oauth-states';
import { rerunBlockedQuietly } from '../quote-to-cash/rerun-blocked';

/**
 * Connecting a HubSpot account to its QuickBooks Online company. The flow has three legs, each bound to the account
 * that started it:
 *
 * 1. A signed card request asks for a one-time connect URL (a "ticket": single use, 10 minutes). The settings page
 *    opens it in a new window, where no HubSpot signature can follow, so the ticket is what carries the account.
 * 2. Opening it consumes the ticket and sends the browser to Intuit with a fresh OAuth state bound to that account.
 * 3. Intuit's callback consumes the state. Only the state says which account is connecting: nothing in the callback's
 *    query can name another one.
 *
 * Nothing is stored until the grant works and the company's facts have been read with it. A grant DealBooks will
 * not keep (facts unreadable, another company than the one connected) is revoked at once, so no orphaned
 * connection is left in the person's QuickBooks "My apps" list. Each leg returns what happened (ConnectOutcome);
 * the HTTP edge turns it into a redirect or a page (http/connect-pages.ts).
 */

export interface ConnectAccount {
  portalId: number;
  userId?: number | null;
  userEmail?: string | null;
}

export type LinkRefusal = Exclude<ConsumeResult, { ok: true }>['reason'];

/** A company as the person picked or connected it: its name when known. */
export interface CompanyChoice {
  realmId: string;
  companyName: string | null;
}

/** What a leg of the flow ended with. Every outcome but `redirect` and `bad_link` carries a fresh retry URL where one helps. */
export type ConnectOutcome =
  | { kind: 'redirect'; url: string }
  /** The ticket or state cannot be used; it names no account DealBooks can trust, so the retry starts in HubSpot. */
  | { kind: 'bad_link'; link: 'ticket' | 'state'; reason: LinkRefusal }
  | { kind: 'not_installed'; portalId: number }
  /** The person cancelled on Intuit's consent page. */
  | { kind: 'cancelled'; retryUrl: string }
  /** Intuit came back with another error (its code, cut to 100 characters). */
  | { kind: 'intuit_error'; error: string; retryUrl: string }
  | { kind: 'missing_code'; retryUrl: string }
  /** Intuit refused the code: invalid, expired or already used. */
  | { kind: 'code_rejected'; retryUrl: string }
  /** The code exchange failed for a reason that may pass. */
  | { kind: 'exchange_failed'; retryUrl: string }
  /** The grant works but the company could not be read with it; the grant was revoked. */
  | { kind: 'company_unreadable'; reason: string; retryUrl: string }
  /** The account is connected to another company; the new grant was revoked. */
  | { kind: 'other_company'; connected: CompanyChoice; chosen: CompanyChoice; retryUrl: string }
  | { kind: 'connected'; portalId: number; reconnected: boolean; woken: number; connection: ConnectionView };

export const CONNECT_PATH = '/oauth/quickbooks/connect';

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

/** Opens a connect URL: the browser goes on to Intuit, or learns why it cannot. */
export async function startConnect(ctx: AppContext, ticket: string | undefined): Promise<ConnectOutcome> {
  const consumed = await ctx.states.consume(ticket, { provider: 'quickbooks', purpose: 'connect_ticket' });
  if (!consumed.ok) return { kind: 'bad_link', link: 'ticket', reason: consumed.reason };
  const account = accountOf(consumed.state);
  if (!(await portalInstalled(ctx.pool, account.portalId))) return { kind: 'not_installed', portalId: account.portalId };
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
  if (!consumed.ok) return { kind: 'bad_link', link: 'state', reason: consumed.reason };
  const account = accountOf(consumed.state);
  const { portalId } = account;
  const log = ctx.logger.child({ component: 'quickbooks-connect', portalId });
  const retryUrl = async () => (await createConnectUrl(ctx, account)).url;

  if (!(await portalInstalled(ctx.pool, portalId))) return { kind: 'not_installed', portalId };

  if (input.error) {
    const error = input.error.slice(0, 100);
    log.info({ error }, 'QuickBooks consent was not given');
    if (input.error === 'access_denied') return { kind: 'cancelled', retryUrl: await retryUrl() };
    return { kind: 'intuit_error', error, retryUrl: await retryUrl() };
  }
  const realmId = input.realmId?.trim();
  if (!input.code || !realmId || !/^\d{1,32}$/.test(realmId)) return { kind: 'missing_code', retryUrl: await retryUrl() };

  let tokens: IntuitTokens;
  try {
    tokens = await ctx.quickbooks.oauth.exchange(input.callbackUrl, ctx.clock.now());
  } catch (err) {
    if (err instanceof GrantRevokedError) {
      log.warn({ realmId, reason: err.message }, 'Intuit refused the authorization code');
      return { kind: 'code_rejected', retryUrl: await retryUrl() };
    }
    log.warn({ realmId, reason: describe(err) }, 'exchanging the QuickBooks authorization code failed');
    return { kind: 'exchange_failed', retryUrl: await retryUrl() };
  }

  let facts: CompanyFacts;
  try {
    facts = await readCompanyFacts(ctx, { accessToken: tokens.accessToken, realmId }, portalId);
  } catch (err) {
    await revokeQuietly(ctx, tokens.refreshToken, log, realmId);
    return { kind: 'company_unreadable', reason: describe(err), retryUrl: await retryUrl() };
  }

  const chosen = { realmId, companyName: facts.companyName };
  const live = await ctx.quickbooks.connections.live(portalId);
  if (live && live.realmId !== realmId) {
    await revokeQuietly(ctx, tokens.refreshToken, log, realmId);
    log.info({ realmId, connectedRealmId: live.realmId }, 'QuickBooks connect refused: the account is connected to another company');
    return { kind: 'other_company', connected: companyOf(live), chosen, retryUrl: await retryUrl() };
  }

  let stored: ConnectionView;
  try {
    stored = await ctx.quickbooks.connections.store({ portalId, realmId, tokens, facts, userId: account.userId, userEmail: account.userEmail });
  } catch (err) {
    await revokeQuietly(ctx, tokens.refreshToken, log, realmId);
    if (isUniqueViolation(err)) {
      // Another callback for this account connected a different company between our check and our write.
      const winner = await ctx.quickbooks.connections.live(portalId);
      if (winner && winner.realmId !== realmId) return { kind: 'other_company', connected: companyOf(winner), chosen, retryUrl: await retryUrl() };
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
  // Work that ended blocked on something QuickBooks says (its currency, estimates switched off...) is tried again too.
  const rerun = await rerunBlockedQuietly(ctx.quoteToCash, portalId, 'quickbooks_connected');
  // While the account was not connected, QuickBooks' notifications could not be acted on: look at what changed.
  await ctx.background.checkQuickbooksChanges(portalId, 'connected').catch((err: unknown) => log.warn({ reason: describe(err) }, 'could not queue a check of QuickBooks changes; the schedule will run one'));
  const reconnected = live !== undefined;
  log.info({ realmId, connectionId: stored.id, reconnected, woken, rerun: rerun.length }, reconnected ? 'QuickBooks reconnected' : 'QuickBooks connected');
  return { kind: 'connected', portalId, reconnected, woken, connection: stored };
}

function companyOf(connection: ConnectionView): CompanyChoice {
  return { realmId: connection.realmId, companyName: connection.companyName };
}

function accountOf(state: { portalId: number | null; userId: number | null; userEmail: string | null }): { portalId: number; userId: number | null; userEmail: string | null } {
  // The schema requires a portal for QuickBooks states; a row without one would be a bug, not a user's mistake.
  if (state.portalId === null) throw new Error('a QuickBooks OAuth state without an account');
  return { portalId: state.portalId, userId: state.userId, userEmail: state.userEmail };
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
 * CompanyInfo and Preferences, read with the grant just received (not stored yet, so passed to QuickbooksApi as an
 * explicit token). Each failure is logged with the path and Intuit's trace id, and becomes a sentence for the page.
 */
async function readCompanyFacts(ctx: AppContext, token: { accessToken: string; realmId: string }, portalId: number): Promise<CompanyFacts> {
  const { realmId } = token;
  const log = ctx.logger.child({ component: 'quickbooks-connect', portalId, realmId });
  const read = async (path: string): Promise<unknown> => {
    try {
      return (await ctx.quickbooks.api.get(portalId, path, {}, undefined, { token })).json;
    } catch (err) {
      if (!(err instanceof QuickbooksApiError)) throw err;
      if (err.status === 0) {
        log.warn({ path, reason: describe(err) }, 'reading the QuickBooks company failed: no answer');
        throw new CompanyReadError('QuickBooks did not answer');
      }
      if (err.status >= 200 && err.status < 300) {
        log.warn({ path, status: err.status, intuitTid: err.intuitTid }, 'reading the QuickBooks company failed: the answer is not JSON');
        throw new CompanyReadError('QuickBooks answered with something that is not JSON');
      }
      log.warn({ path, status: err.status, code: err.code, intuitTid: err.intuitTid }, 'reading the QuickBooks company failed');
      throw new CompanyReadError(err.message.slice(0, 250));
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
