import { HUBSPOT_REQUIRED_SCOPES } from '../../server/src/hubspot/scopes';
import type { World } from './world';

/**
 * Install and connect through DealBooks' own OAuth code (HubSpotOAuth, IntuitOAuth with the real intuit-oauth,
 * the stores), driving the simulators' consent pages the way a browser does, but without DealBooks' HTTP routes:
 * the token, adapter and quote-to-cash tests set up their connections with these and test the routes elsewhere.
 */
async function redirectOf(url: string): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`expected a redirect from ${url}, got ${response.status}`);
  return new URL(location);
}

export async function installDirect(world: World): Promise<number> {
  const { ctx } = world;
  const back = await redirectOf(ctx.hubspot.oauth.authorizeUrl('test-state', HUBSPOT_REQUIRED_SCOPES));
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`consent did not return a code: ${back}`);
  const tokens = await ctx.hubspot.oauth.exchange(code, ctx.clock.now());
  const info = await ctx.hubspot.oauth.introspect(tokens.accessToken);
  const portalId = info.hub_id!;
  await ctx.hubspot.installs.store({ portalId, hubDomain: info.hub_domain ?? null, tokens, scopes: info.scopes ?? [], userId: info.user_id ?? null });
  return portalId;
}

export async function connectDirect(world: World, portalId: number): Promise<{ realmId: string }> {
  const { ctx } = world;
  const callback = await redirectOf(ctx.quickbooks.oauth.authorizeUrl('test-state'));
  const realmId = callback.searchParams.get('realmId');
  if (!realmId) throw new Error(`consent did not return a realm: ${callback}`);
  const tokens = await ctx.quickbooks.oauth.exchange(callback.toString(), ctx.clock.now());
  await ctx.quickbooks.connections.store({
    portalId,
    realmId,
    tokens,
    facts: { companyName: null, country: null, homeCurrency: null, multicurrencyEnabled: null, bookCloseDate: null, customTxnNumbers: null },
    userId: null,
    userEmail: null,
  });
  await ctx.jobs.wake(portalId);
  return { realmId };
}
