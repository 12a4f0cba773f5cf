import { z } from 'zod';
import type { SimClock } from '../common/clock';
import appMeta from '../../../hubspot-app/src/app/app-hsmeta.json';

/**
 * The apps the simulated HubSpot knows (a developer's marketplace apps: client credentials, redirect URLs, scopes,
 * webhook subscriptions) and which portal installed which app. An install is what OAuth tokens hang on: when it
 * goes, every token of it dies.
 */

/**
 * The subscriptions of an app's webhooks-hsmeta.json that the simulator sends: `crmObjects` property changes,
 * deletions, restores and merges (the generic `object.*` form with `objectType`, as hubspot-app's
 * webhooks-hsmeta.json writes them; the `object.deletion` / `object.restore` / `object.merge` types are listed in
 * https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions), and the `hubEvents` entry
 * `contact.privacyDeletion`, the one hub event HubSpot documents
 * (developers.hubspot.com/docs/apps/developer-platform/add-features/configure-webhooks). The legacy
 * `legacyCrmObjects` form (`deal.deletion`, ...) is not simulated.
 */
export const LIFECYCLE_SUBSCRIPTION_TYPES = ['object.deletion', 'object.restore', 'object.merge'] as const;
export type LifecycleSubscriptionType = (typeof LIFECYCLE_SUBSCRIPTION_TYPES)[number];

export const webhookSubscriptionSchema = z.discriminatedUnion('subscriptionType', [
  z.object({
    subscriptionType: z.literal('object.propertyChange'),
    /** Singular object type, as in the app's webhooks-hsmeta.json (`deal`). */
    objectType: z.string().min(1),
    propertyName: z.string().min(1),
    active: z.boolean().default(true),
  }),
  ...LIFECYCLE_SUBSCRIPTION_TYPES.map((subscriptionType) =>
    z.object({
      subscriptionType: z.literal(subscriptionType),
      /** Singular object type (`deal`, `company`, `contact`); plural names and type ids are accepted too. */
      objectType: z.string().min(1),
      active: z.boolean().default(true),
    }),
  ),
  z.object({
    subscriptionType: z.literal('contact.privacyDeletion'),
    active: z.boolean().default(true),
  }),
]);
export type WebhookSubscription = z.infer<typeof webhookSubscriptionSchema>;

/** webhooks-hsmeta.json `settings.maxConcurrentRequests` as HubSpot's examples set it. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 10;

export const appWebhooksSchema = z.object({
  targetUrl: z.url().optional(),
  /** Webhook requests of this app in flight to its target at once, per portal; more wait (webhooks.ts). */
  maxConcurrentRequests: z.number().int().positive().optional(),
  subscriptions: z.array(webhookSubscriptionSchema).default([]),
});
export type AppWebhooks = z.infer<typeof appWebhooksSchema>;
/** A change of webhook settings: what is given replaces, what is absent stays (no defaults here). */
const webhooksPatchSchema = z.object({
  targetUrl: z.url().optional(),
  maxConcurrentRequests: z.number().int().positive().optional(),
  subscriptions: z.array(webhookSubscriptionSchema).optional(),
});

export const appConfigSchema = z.object({
  appId: z.number().int().positive(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUris: z.array(z.string().min(1)).min(1),
  /** The scopes the app requires (its app-hsmeta.json `requiredScopes`). */
  scopes: z.array(z.string()).optional(),
  optionalScopes: z.array(z.string()).optional(),
  webhooks: appWebhooksSchema.optional(),
});
export type HubSpotAppConfig = z.input<typeof appConfigSchema>;

export interface HubSpotApp {
  appId: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
  optionalScopes: string[];
  webhooks: { targetUrl?: string; maxConcurrentRequests: number; subscriptions: Array<WebhookSubscription & { subscriptionId: number }> };
}

export interface Install {
  appId: number;
  portalId: number;
  /** The HubSpot user who installed the app (what tokens report as user_id / user). */
  userId: number;
  userEmail: string;
  scopes: string[];
  installedAt: string;
}

/**
 * The scopes of DealBooks as registered at HubSpot: what `hs project upload` sends, i.e. requiredScopes of
 * hubspot-app/src/app/app-hsmeta.json, which asks for what DealBooks uses and no more.
 */
export const DEALBOOKS_SCOPES: readonly string[] = appMeta.config.auth.requiredScopes;

/** The default app: DealBooks as registered in the simulated developer account. */
export const DEMO_APP_ID = 4242;
export const DEMO_CLIENT_ID = 'dealbooks-sim-client-id';
export const DEMO_CLIENT_SECRET = 'dealbooks-sim-client-secret';
export const DEMO_REDIRECT_URIS: readonly string[] = [
  'http://localhost:3000/oauth/hubspot/callback',
  'http://127.0.0.1:3000/oauth/hubspot/callback',
];
export const DEMO_USER = { userId: 1, userEmail: 'owner@demo.example' } as const;
/** The portal seeded with demo data (and the apps installed) at start; the CRM side's first portal id. */
export const DEMO_PORTAL_ID = 62_515_001;
/**
 * DealBooks' webhook subscriptions (hubspot-app webhooks-hsmeta.json): changes of a deal's stage (auto-invoice),
 * close date and amount (blocked work on the deal runs again); deals deleted, restored and merged; companies and
 * contacts merged (their QBO customer links move).
 */
export const DEALBOOKS_SUBSCRIPTIONS: readonly WebhookSubscription[] = [
  { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'dealstage', active: true },
  { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'closedate', active: true },
  { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'amount', active: true },
  { subscriptionType: 'object.deletion', objectType: 'deal', active: true },
  { subscriptionType: 'object.restore', objectType: 'deal', active: true },
  { subscriptionType: 'object.merge', objectType: 'deal', active: true },
  { subscriptionType: 'object.merge', objectType: 'company', active: true },
  { subscriptionType: 'object.merge', objectType: 'contact', active: true },
];

/**
 * Deletion, restore and merge subscriptions for the given object types (default: deal, company, contact), to add to
 * an app's `webhooks.subscriptions` in a test (DEALBOOKS_SUBSCRIPTIONS has the deal ones, as DealBooks'
 * webhooks-hsmeta.json does).
 */
export function lifecycleSubscriptions(objectTypes: readonly string[] = ['deal', 'company', 'contact']): WebhookSubscription[] {
  return objectTypes.flatMap((objectType) => LIFECYCLE_SUBSCRIPTION_TYPES.map((subscriptionType) => ({ subscriptionType, objectType, active: true })));
}

export function demoApp(webhookTargetUrl?: string): HubSpotAppConfig {
  return {
    appId: DEMO_APP_ID,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    redirectUris: [...DEMO_REDIRECT_URIS],
    scopes: [...DEALBOOKS_SCOPES],
    webhooks: { targetUrl: webhookTargetUrl, subscriptions: [...DEALBOOKS_SUBSCRIPTIONS] },
  };
}

export class AppRegistry {
  private apps = new Map<number, HubSpotApp>();
  private installs = new Map<string, Install>();
  /** Subscription ids are global in HubSpot; these start high enough to look like real ones. */
  private nextSubscriptionId = 1_000_001;

  constructor(private readonly clock: SimClock, private readonly initial: HubSpotAppConfig[]) {
    this.reset();
  }

  /** Back to the configured apps (webhook settings as given at start) with nothing installed. */
  reset(): void {
    this.apps.clear();
    this.installs.clear();
    this.nextSubscriptionId = 1_000_001;
    for (const config of this.initial) this.register(config);
  }

  /** Forgets every install but keeps the apps as they are now (their webhook settings are app configuration). */
  clearInstalls(): void {
    this.installs.clear();
  }

  register(input: HubSpotAppConfig): HubSpotApp {
    const config = appConfigSchema.parse(input);
    if ([...this.apps.values()].some((a) => a.clientId === config.clientId && a.appId !== config.appId)) {
      throw new Error(`client id ${config.clientId} is taken by another app`);
    }
    const app: HubSpotApp = {
      appId: config.appId,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUris: config.redirectUris,
      scopes: config.scopes ?? [...DEALBOOKS_SCOPES],
      optionalScopes: config.optionalScopes ?? [],
      webhooks: { maxConcurrentRequests: DEFAULT_MAX_CONCURRENT_REQUESTS, subscriptions: [] },
    };
    this.apps.set(app.appId, app);
    // An app configured without webhooks gets DealBooks' subscription (all apps here are DealBooks variants).
    this.setWebhooks(app.appId, config.webhooks ?? { subscriptions: [...DEALBOOKS_SUBSCRIPTIONS] });
    return app;
  }

  /** Installs as JSON data. The apps themselves are configuration, given again at every start. */
  exportInstalls(): Install[] {
    return [...this.installs.values()];
  }

  importInstalls(installs: Install[]): void {
    this.installs.clear();
    for (const install of installs) this.installs.set(key(install.appId, install.portalId), install);
  }

  list(): HubSpotApp[] {
    return [...this.apps.values()];
  }

  get(appId: number): HubSpotApp | undefined {
    return this.apps.get(appId);
  }

  byClientId(clientId: string): HubSpotApp | undefined {
    return [...this.apps.values()].find((a) => a.clientId === clientId);
  }

  /** Replaces what is given of the app's webhook settings (target URL, maxConcurrentRequests, subscriptions). */
  setWebhooks(appId: number, input: z.input<typeof webhooksPatchSchema>): HubSpotApp {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`no app ${appId}`);
    const patch = webhooksPatchSchema.parse(input);
    if ('targetUrl' in input) app.webhooks.targetUrl = patch.targetUrl;
    if (patch.maxConcurrentRequests !== undefined) app.webhooks.maxConcurrentRequests = patch.maxConcurrentRequests;
    if (patch.subscriptions) {
      app.webhooks.subscriptions = patch.subscriptions.map((s) => ({ ...s, subscriptionId: this.nextSubscriptionId++ }));
    }
    return app;
  }

  install(appId: number, portalId: number, o: { userId: number; userEmail: string; scopes: string[] }): Install {
    const existing = this.installs.get(key(appId, portalId));
    const install: Install = {
      appId,
      portalId,
      userId: existing?.userId ?? o.userId,
      userEmail: existing?.userEmail ?? o.userEmail,
      scopes: [...new Set([...(existing?.scopes ?? []), ...o.scopes])],
      installedAt: existing?.installedAt ?? this.clock.now().toISOString(),
    };
    this.installs.set(key(appId, portalId), install);
    return install;
  }

  uninstall(appId: number, portalId: number): boolean {
    return this.installs.delete(key(appId, portalId));
  }

  getInstall(appId: number, portalId: number): Install | undefined {
    return this.installs.get(key(appId, portalId));
  }

  listInstalls(filter: { portalId?: number; appId?: number } = {}): Install[] {
    return [...this.installs.values()].filter(
      (i) => (filter.portalId === undefined || i.portalId === filter.portalId) && (filter.appId === undefined || i.appId === filter.appId),
    );
  }
}

function key(appId: number, portalId: number): string {
  return `${appId}:${portalId}`;
}
