import express from 'express';
import { z } from 'zod';
import type { AppRegistry } from './apps';
import { cardRequestControlSchema, type CardResponse } from './card-requests';
import type { ConsentPlan } from './oauth-consent';
import type { TokenStore } from './oauth-tokens';
import type { RateLimiter } from './limits';

/**
 * The HubSpot shell's control calls, mounted under `/_sim` next to the common ones (plain JSON, no auth):
 *   POST /oauth/consent              {portalId?, deny?, times?, userId?, userEmail?}: what the user does next on the
 *                                    consent screen
 *   GET  /oauth/installs             {installs, counters}: who installed what, token/refresh calls per portal
 *   POST /oauth/install              {appId?, portalId}: install without the browser dance -> {install, access_token,
 *                                    refresh_token, expires_in}
 *   POST /oauth/expire-access-tokens {portalId?}: live access tokens expire now -> {expired}
 *   POST /oauth/uninstall            {portalId, appId?}: as if the user uninstalled the app in HubSpot
 *   GET  /apps                       the registered apps (with their secrets: this is a simulator)
 *   POST /apps/:appId/webhooks       {targetUrl?, maxConcurrentRequests?, subscriptions?}: subscriptions are
 *                                    {subscriptionType: 'object.propertyChange', objectType, propertyName, active?}
 *                                    or {subscriptionType: 'contact.privacyDeletion', active?}
 *   GET  /limits, POST /limits       {max?, intervalMs?, searchPerSecond?}
 *   POST /card-requests              {appId?, portalId, userId?, userEmail?, method, url, body?}: sends what a card's
 *                                    hubspot.fetch would and answers what DealBooks answered
 */
export interface ShellControlDeps {
  apps: AppRegistry;
  tokens: TokenStore;
  consent: ConsentPlan;
  limits: RateLimiter;
  defaultAppId: number;
  install(appId: number, portalId: number): { access_token: string; refresh_token: string; expires_in: number };
  uninstall(appId: number, portalId: number): boolean;
  cardRequest(input: z.infer<typeof cardRequestControlSchema>): Promise<CardResponse>;
}

const portalOnly = z.object({ portalId: z.number().int().positive().optional() });
const installSchema = z.object({ appId: z.number().int().positive().optional(), portalId: z.number().int().positive() });

export function hubspotShellControlRouter(deps: ShellControlDeps): express.Router {
  const router = express.Router();

  router.post('/oauth/consent', (req, res) => {
    deps.consent.plan(req.body ?? {});
    res.json({ planned: deps.consent.pending() });
  });
  router.get('/oauth/installs', (_req, res) => {
    res.json({ installs: deps.apps.listInstalls(), counters: deps.tokens.countersByPortal() });
  });
  router.post('/oauth/install', (req, res) => {
    const { appId = deps.defaultAppId, portalId } = installSchema.parse(req.body ?? {});
    const tokens = deps.install(appId, portalId);
    res.status(201).json({ install: deps.apps.getInstall(appId, portalId), ...tokens });
  });
  router.post('/oauth/expire-access-tokens', (req, res) => {
    const { portalId } = portalOnly.parse(req.body ?? {});
    res.json({ expired: deps.tokens.expireAccessTokens(portalId) });
  });
  router.post('/oauth/uninstall', (req, res) => {
    const { appId = deps.defaultAppId, portalId } = installSchema.parse(req.body ?? {});
    if (!deps.uninstall(appId, portalId)) throw new Error(`app ${appId} is not installed in portal ${portalId}`);
    res.json({ uninstalled: { appId, portalId } });
  });

  router.get('/apps', (_req, res) => {
    res.json({ apps: deps.apps.list() });
  });
  router.post('/apps/:appId/webhooks', (req, res) => {
    const app = deps.apps.setWebhooks(Number(req.params.appId), req.body ?? {});
    res.json({ appId: app.appId, webhooks: app.webhooks });
  });

  router.get('/limits', (_req, res) => {
    res.json(deps.limits.current);
  });
  router.post('/limits', (req, res) => {
    res.json(deps.limits.configure(req.body ?? {}));
  });

  router.post('/card-requests', async (req, res) => {
    res.json(await deps.cardRequest(cardRequestControlSchema.parse(req.body ?? {})));
  });

  return router;
}
