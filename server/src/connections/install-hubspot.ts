import type { AppContext } from '../context';
import { ConnectionBlockedError, GrantRevokedError, RefreshFailedError } from '../errors';
import { ensureDealBooksProperties, type EnsuredProperties } from '../hubspot/deal-properties';
import type { HubSpotTokens, Introspection } from '../hubspot/oauth';
import { HUBSPOT_REQUIRED_SCOPES } from '../hubspot/scopes';
import type { ConsumeResult } from './oauth-states';

/**
 * Installing DealBooks in a HubSpot account: the marketplace's install button opens /oauth/hubspot/install, HubSpot
 * asks the admin to consent and comes back to /oauth/hubspot/callback. This is the use-case behind those two routes;
 * it returns what happened, the route turns it into a page.
 *
 * Nothing is stored unless the whole grant checks out (state, code, app, scopes). Once it is stored, the install
 * counts as done even if the deal properties cannot be created yet: those are retried (ensureDealProperties), while
 * a lost grant could only be recovered by the admin installing again.
 */

export interface CallbackParams {
  code?: string;
  state?: string;
  error?: string;
  errorDescription?: string;
}

export type PropertiesOutcome = { ok: true; ensured: EnsuredProperties } | { ok: false; reason: string };

export type InstallOutcome =
  | { kind: 'installed'; portalId: number; firstInstall: boolean; properties: PropertiesOutcome }
  /** The state was not one DealBooks issued for this flow, was used already, or is older than 10 minutes. */
  | { kind: 'bad_state'; reason: Exclude<ConsumeResult, { ok: true }>['reason'] }
  /** The admin pressed Cancel on HubSpot's consent screen. */
  | { kind: 'denied' }
  /** HubSpot sent another error instead of a code (the code is shown, HubSpot's free text is not). */
  | { kind: 'hubspot_error'; error: string }
  /** A callback without a code or an error: not something HubSpot sends. */
  | { kind: 'missing_code' }
  /** HubSpot refused the code: already used, expired or never issued. */
  | { kind: 'code_rejected' }
  /** HubSpot could not be reached or answered with an error that may pass. */
  | { kind: 'hubspot_unavailable'; reason: string }
  /** The grant belongs to another HubSpot app than the one DealBooks is configured as. */
  | { kind: 'wrong_app'; appId: number | undefined }
  /** The admin's consent does not cover everything DealBooks needs. */
  | { kind: 'missing_scopes'; missing: string[] };

const PROBLEM_CODE = /^[a-z_]{1,64}$/;

/** The URL of HubSpot's consent screen, with a fresh single-use state. */
export async function startInstall(ctx: AppContext): Promise<string> {
  const redirectUri = ctx.hubspot.oauth.redirectUri;
  const state = await ctx.states.create({ provider: 'hubspot', purpose: 'authorize', redirectUri });
  return ctx.hubspot.oauth.authorizeUrl(state, HUBSPOT_REQUIRED_SCOPES);
}

export async function completeInstall(ctx: AppContext, params: CallbackParams): Promise<InstallOutcome> {
  const log = ctx.logger.child({ component: 'hubspot-install' });

  // The state first, also for a denied consent: a callback DealBooks did not start is not answered in its name.
  const consumed = await ctx.states.consume(params.state, { provider: 'hubspot', purpose: 'authorize' });
  if (!consumed.ok) {
    log.warn({ reason: consumed.reason }, 'HubSpot install callback refused: bad state');
    return { kind: 'bad_state', reason: consumed.reason };
  }
  if (params.error !== undefined) {
    if (params.error === 'access_denied') {
      log.info('HubSpot install cancelled on the consent screen');
      return { kind: 'denied' };
    }
    const error = PROBLEM_CODE.test(params.error) ? params.error : 'unknown_error';
    log.warn({ error, description: params.errorDescription?.slice(0, 300) }, 'HubSpot install callback carried an error');
    return { kind: 'hubspot_error', error };
  }
  if (!params.code) return { kind: 'missing_code' };

  let tokens: HubSpotTokens;
  let introspection: Introspection;
  try {
    tokens = await ctx.hubspot.oauth.exchange(params.code, ctx.clock.now());
    introspection = await ctx.hubspot.oauth.introspect(tokens.accessToken);
  } catch (err) {
    if (err instanceof GrantRevokedError) {
      log.warn({ reason: err.message }, 'HubSpot refused the install code');
      return { kind: 'code_rejected' };
    }
    if (err instanceof RefreshFailedError) {
      log.warn({ reason: err.message }, 'HubSpot could not complete the install');
      return { kind: 'hubspot_unavailable', reason: err.message };
    }
    throw err;
  }

  const portalId = introspection.hub_id ?? tokens.hubId;
  if (!introspection.active || portalId === undefined || (tokens.hubId !== undefined && tokens.hubId !== portalId)) {
    log.warn({ active: introspection.active }, 'HubSpot did not confirm the new token');
    return { kind: 'hubspot_unavailable', reason: 'HubSpot did not confirm the new authorization (token introspection)' };
  }
  const expectedAppId = ctx.config.hubspot.appId;
  if (expectedAppId !== undefined && introspection.app_id !== Number(expectedAppId)) {
    log.error({ portalId, appId: introspection.app_id }, 'HubSpot install refused: the grant is for another app than HUBSPOT_APP_ID');
    return { kind: 'wrong_app', appId: introspection.app_id };
  }
  const granted = introspection.scopes ?? tokens.scopes ?? [];
  const missing = HUBSPOT_REQUIRED_SCOPES.filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    log.warn({ portalId, missing }, 'HubSpot install refused: required scopes not granted');
    return { kind: 'missing_scopes', missing };
  }

  const { firstInstall } = await ctx.hubspot.installs.store({
    portalId,
    hubDomain: introspection.hub_domain ?? null,
    tokens,
    scopes: granted,
    userId: introspection.user_id ?? null,
  });
  const properties = await tryEnsureDealProperties(ctx, portalId);
  try {
    await ctx.jobs.wake(portalId);
  } catch (err) {
    // Waiting jobs are looked at again on their own schedule; the install itself is done.
    log.warn({ portalId, reason: err instanceof Error ? err.message : String(err) }, 'could not wake waiting jobs after the install');
  }
  log.info({ portalId, firstInstall, propertiesReady: properties.ok }, firstInstall ? 'DealBooks installed in a HubSpot account' : 'DealBooks installed again in a HubSpot account');
  return { kind: 'installed', portalId, firstInstall, properties };
}

/** Creates DealBooks' deal property group and properties where missing; safe to run again (a job retries it). */
export async function ensureDealProperties(ctx: AppContext, portalId: number): Promise<EnsuredProperties> {
  return ctx.hubspot.installs.call(portalId, (client) => ensureDealBooksProperties(client));
}

async function tryEnsureDealProperties(ctx: AppContext, portalId: number): Promise<PropertiesOutcome> {
  try {
    return { ok: true, ensured: await ensureDealProperties(ctx, portalId) };
  } catch (err) {
    const reason = describeHubSpotFailure(err);
    ctx.logger.warn({ portalId, reason }, 'could not create the DealBooks deal properties; a job will retry');
    await ctx.background.ensureDealProperties(portalId);
    return { ok: false, reason };
  }
}

/**
 * A sentence for a person about an @hubspot/api-client failure. Built from the status and HubSpot's message only:
 * the client's own error text quotes response headers, which have no place on a page.
 */
export function describeHubSpotFailure(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number') {
    const { code, body } = err as { code: number; body?: unknown };
    const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;
    return `HubSpot answered HTTP ${code}${message ? `: ${message.slice(0, 300)}` : ''}`;
  }
  if (err instanceof GrantRevokedError || err instanceof RefreshFailedError || err instanceof ConnectionBlockedError) return err.message;
  return 'HubSpot could not be reached';
}
