import { listen } from '../common/listen';
import { createHubSpotSimulatorApp, type HubSpotSimulatorHandles, type HubSpotSimulatorOptions } from './server';

/**
 * The HubSpot simulator: an in-memory HubSpot (OAuth, CRM API, webhooks, UI-extension requests) behind a real HTTP
 * server, for tests and DealBooks' sandbox mode. Control API under `/_sim` (see control.ts and ../common/control.ts).
 */
export type { HubSpotSimulatorOptions, HubSpotSimulatorHandles, HubSpotSimulatorState, SeededInstall } from './server';
export { createHubSpotSimulatorApp } from './server';
export {
  DEALBOOKS_SCOPES,
  DEMO_APP_ID,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_PORTAL_ID,
  DEALBOOKS_SUBSCRIPTIONS,
  DEMO_REDIRECT_URIS,
  DEMO_USER,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  demoApp,
  lifecycleSubscriptions,
  LIFECYCLE_SUBSCRIPTION_TYPES,
  type WebhookSubscription,
  type HubSpotApp,
  type HubSpotAppConfig,
  type Install,
} from './apps';
export { signV1, signV2, signV3, v3SignedUri, signedHeaders } from './signing';
export {
  sendCardRequest,
  cardRequestUrl,
  CardLimits,
  CARD_REQUEST_TIMEOUT_MS,
  CARD_CONCURRENCY_LIMIT,
  CARD_PAYLOAD_LIMIT_BYTES,
  type CardRequest,
  type CardResponse,
} from './card-requests';
export {
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_TIMEOUT_MS,
  WEBHOOK_BATCH_MAX,
  dealstageEvent,
  propertyChangeEvent,
  type HubSpotWebhookEvent,
  type ObjectLifecycleEvent,
  type ObjectMergeEvent,
  type PrivacyDeletionEvent,
  type PropertyChangeEvent,
} from './webhooks';
export { DEMO_USERS } from './crm/seed';
export { DEFAULT_FIDELITY, type HubSpotFidelity, type HubSpotFidelityOptions } from './crm/lifecycle-fidelity';
export { ACCESS_TOKEN_TTL_SECONDS, AUTH_CODE_TTL_MS, EXPIRED_TOKEN_RETENTION_MS } from './oauth-tokens';

export interface HubSpotSimulator extends HubSpotSimulatorHandles {
  /** e.g. http://127.0.0.1:40123 (no trailing slash): the basePath for @hubspot/api-client and the OAuth host. */
  url: string;
  close(): Promise<void>;
}

export async function startHubSpotSimulator(options: HubSpotSimulatorOptions = {}): Promise<HubSpotSimulator> {
  const created = createHubSpotSimulatorApp(options);
  const running = await listen(created.app, { port: options.port, host: options.host });
  // Copy property descriptors, not values, so that getters (`seeded`) stay live.
  const { app: _app, ...handles } = Object.getOwnPropertyDescriptors(created);
  return Object.defineProperties({} as HubSpotSimulator, {
    ...handles,
    url: { value: running.url, enumerable: true },
    close: {
      enumerable: true,
      value: async () => {
        created.dispose();
        created.faults.clear();
        created.webhooks.reset();
        await running.close();
      },
    },
  });
}
