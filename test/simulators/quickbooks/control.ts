/**
 * The QBO shell's control calls, mounted under `/_sim` beside the common ones (plain JSON, no auth):
 *   POST /oauth/consent               {realmId?, deny?, pickOtherCompany?, times?}: the next authorize(s)' answer
 *   GET  /oauth/consent               the plan in force
 *   GET  /oauth/grants                connections (realm, client, scopes, expiries; token prefixes only) + counters
 *   GET  /oauth/counters[?realmId]    authorizations, code exchanges, refresh calls/failures, revocations per realm
 *   POST /oauth/expire-access-tokens  {realmId?}: current access tokens expire now (the next API call gets 401)
 *   POST /oauth/revoke                {realmId}: the user disconnected the app inside QuickBooks
 *   GET/POST /webhooks/config         {url?, verifierToken?, format?: cloudevents|legacy, windowMs?}
 *   GET/POST /limits                  {concurrent?, perMinute?, batchPerMinute?, perSecond? (null = off)}
 *   GET/POST /auth/fault-style        {style: lowercase|json|xml}: the body of 401 answers
 */
import express from 'express';
import { z } from 'zod';
import { AUTH_FAULT_STYLES, type AuthFaultStyle } from './auth-faults';
import type { QboOAuth } from './oauth';
import { limitsSchema, type RealmLimiter } from './limits';
import type { QboWebhooks } from './webhooks';

export interface ShellControlDeps {
  oauth: QboOAuth;
  webhooks: QboWebhooks;
  limits: RealmLimiter;
  authFaultStyle: { get(): AuthFaultStyle; set(style: AuthFaultStyle): void };
}

const consentSchema = z
  .object({
    realmId: z.string().min(1).optional(),
    deny: z.boolean().optional(),
    pickOtherCompany: z.boolean().optional(),
    times: z.number().int().positive().optional(),
  })
  .strict();

export function quickbooksShellControlRouter(deps: ShellControlDeps): express.Router {
  const { oauth } = deps;
  const router = express.Router();

  router.post('/oauth/consent', (req, res) => {
    oauth.setConsentPlan(consentSchema.parse(req.body ?? {}));
    res.json({ consent: oauth.consentPlan() });
  });
  router.get('/oauth/consent', (_req, res) => {
    res.json({ consent: oauth.consentPlan() });
  });
  router.get('/oauth/grants', (_req, res) => {
    res.json({ grants: oauth.grantSummaries(), counters: oauth.allCounters() });
  });
  router.get('/oauth/counters', (req, res) => {
    const { realmId } = z.object({ realmId: z.string().optional() }).parse(req.query);
    res.json(realmId === undefined ? { counters: oauth.allCounters() } : { realmId, ...oauth.realmCounters(realmId) });
  });
  router.post('/oauth/expire-access-tokens', (req, res) => {
    const { realmId } = z.object({ realmId: z.string().min(1).optional() }).strict().parse(req.body ?? {});
    res.json({ expired: oauth.expireAccessTokens(realmId) });
  });
  router.post('/oauth/revoke', (req, res) => {
    const { realmId } = z.object({ realmId: z.string().min(1) }).strict().parse(req.body ?? {});
    res.json({ revoked: oauth.revokeRealm(realmId) });
  });

  router.get('/webhooks/config', (_req, res) => {
    res.json(showConfig(deps.webhooks));
  });
  router.post('/webhooks/config', (req, res) => {
    deps.webhooks.configure(req.body ?? {});
    res.json(showConfig(deps.webhooks));
  });

  router.get('/limits', (_req, res) => {
    res.json(deps.limits.current());
  });
  router.post('/limits', (req, res) => {
    res.json(deps.limits.set(limitsSchema.partial().parse(req.body ?? {})));
  });

  router.get('/auth/fault-style', (_req, res) => {
    res.json({ style: deps.authFaultStyle.get() });
  });
  router.post('/auth/fault-style', (req, res) => {
    const { style } = z.object({ style: z.enum(AUTH_FAULT_STYLES as [AuthFaultStyle, ...AuthFaultStyle[]]) }).strict().parse(req.body ?? {});
    deps.authFaultStyle.set(style);
    res.json({ style });
  });

  return router;
}

/** The verifier token is a shared secret of the app under test: show enough to recognise it, not to use it. */
function showConfig(webhooks: QboWebhooks) {
  const config = webhooks.current();
  return { ...config, verifierToken: `${config.verifierToken.slice(0, 4)}…` };
}
