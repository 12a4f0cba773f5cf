/**
 * The QuickBooks Online simulator: Intuit's OAuth server, the Accounting API of in-memory companies, webhooks and a
 * control API, on one local origin. Tests use createQuickbooksSimulatorApp (supertest) or startQuickbooksSimulator
 * (a real port); the product's sandbox mode and `cli.ts` start it the same way.
 */
import { listen } from '../common/listen';
import { createQuickbooksSimulatorApp, type QuickbooksSimulatorHandles, type QuickbooksSimulatorOptions } from './server';

export { createQuickbooksSimulatorApp, DEMO_REALM_ID, DEFAULT_WEBHOOK_TIMEOUT_MS } from './server';
export type { QuickbooksSimulatorHandles, QuickbooksSimulatorOptions, QuickbooksSimulatorState } from './server';
export {
  DEMO_APP,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_REDIRECT_URIS,
  ACCOUNTING_SCOPE,
  ACCESS_TOKEN_TTL_SECONDS,
  AUTHORIZATION_CODE_TTL_MS,
  REFRESH_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_HARD_MAX_SECONDS,
  DEFAULT_REFRESH_TOKEN_GRACE_MS,
  PRUNE_AFTER_MS,
} from './oauth';
export type { ConsentPlan, QboOAuthApp, TokenResponse, RealmCounters, OAuthStoreSizes } from './oauth';
export { DISCOVERY_PATHS } from './oauth-discovery';
export type { DiscoveryDocument } from './oauth-discovery';
export { OAUTH_PATHS } from './oauth-routes';
export { DEMO_VERIFIER_TOKEN, INTUIT_AGGREGATION_WINDOWS_MS } from './webhooks';
export { DEFAULT_BEHAVIOUR } from './behaviour';
export type { QboBehaviour, QboBehaviourInput } from './behaviour';
export type { QboWebhookConfig, QboWebhookConfigInput } from './webhooks';
export { signWebhookBody, SIGNATURE_HEADER, WEBHOOK_CONTENT_TYPE, CLOUDEVENT_VERBS, intuitRetryDelays } from './webhooks-format';
export type { QboWebhookFormat } from './webhooks-format';
export { DEFAULT_LIMITS } from './limits';
export type { QboLimits } from './limits';
export type { AuthFaultStyle } from './auth-faults';

export interface QuickbooksSimulator extends QuickbooksSimulatorHandles {
  /** e.g. http://127.0.0.1:40123 (no trailing slash): OAuth, API and `/_sim` control all live here. */
  url: string;
  close(): Promise<void>;
}

export async function startQuickbooksSimulator(options: QuickbooksSimulatorOptions = {}): Promise<QuickbooksSimulator> {
  const { app, ...handles } = createQuickbooksSimulatorApp(options);
  const server = await listen(app, { port: options.port, host: options.host });
  return {
    ...handles,
    url: server.url,
    async close() {
      handles.webhooks.reset();
      handles.dispatcher.reset();
      handles.faults.clear(); // lets go of hanging requests
      // A clock the caller passed in may drive other simulators too; only our own is cleared.
      if (!options.clock) handles.clock.clear();
      await server.close();
    },
  };
}
