import type { SimClock } from '../common/clock';
import { Batcher, WebhookDispatcher } from '../common/webhooks';
import type { AppRegistry, HubSpotApp } from './apps';
import { findObjectType } from './crm/object-types';
import type { HubSpotAccounts, PropertyChange } from './crm/store';
import { signedHeaders } from './signing';

/**
 * HubSpot's webhooks for project apps: every CRM property change that an installed app subscribed to becomes an
 * event; events are sent in batches of up to 100 per request per app, signed (v3 and legacy v1), and retried when
 * the app answers non-2xx or takes longer than 5 s, up to 10 times over 24 hours (reference "Webhooks").
 * Body and headers: fixture payloads.json `webhook_generic_object_propertyChange_deal`.
 */

/**
 * Delays before retries 1..10. HubSpot documents only "up to 10 times over 24 hours"; doubling from one minute
 * (1, 2, 4 ... 512 minutes) spreads ten retries over about 17 hours, inside that window.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Array.from({ length: 10 }, (_, i) => 60_000 * 2 ** i);
/** A slower answer counts as a failure and is retried. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
export const WEBHOOK_BATCH_MAX = 100;

/** One event as HubSpot sends it, keys in the order of the fixture (attemptNumber is set per attempt). */
export interface PropertyChangeEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: 'object.propertyChange';
  attemptNumber: number;
  objectId: number;
  objectTypeId: string;
  propertyName: string;
  propertyValue: string;
  changeSource: string;
  sourceId?: string;
  isSensitive: boolean;
}

export interface HubSpotWebhooksDeps {
  clock: SimClock;
  apps: AppRegistry;
  accounts: HubSpotAccounts;
  dispatcher: WebhookDispatcher;
  /** Simulated ms to collect events before sending a batch; 0 = what happens in the same tick. */
  batchWindowMs?: number;
}

export function createWebhookDispatcher(clock: SimClock, timeoutMs = WEBHOOK_TIMEOUT_MS): WebhookDispatcher {
  return new WebhookDispatcher({ clock, retryDelaysMs: WEBHOOK_RETRY_DELAYS_MS, timeoutMs });
}

export class HubSpotWebhooks {
  private readonly batcher: Batcher<PropertyChangeEvent>;
  private readonly unsubscribe: () => void;
  /** HubSpot's eventIds are large and not guaranteed unique; these are unique and increasing. */
  private nextEventId = 1;

  constructor(private readonly deps: HubSpotWebhooksDeps) {
    this.batcher = new Batcher<PropertyChangeEvent>({
      clock: deps.clock,
      max: WEBHOOK_BATCH_MAX,
      windowMs: deps.batchWindowMs ?? 0,
      flush: (appId, events) => this.send(Number(appId), events),
    });
    this.unsubscribe = deps.accounts.onPropertyChange((change) => this.onChange(change));
  }

  /** Sends what is batched now (the control API's webhooks flush). */
  flush(): void {
    this.batcher.flushAll();
  }

  reset(): void {
    this.batcher.clear();
    this.nextEventId = 1;
  }

  close(): void {
    this.unsubscribe();
    this.batcher.clear();
  }

  private onChange(change: PropertyChange): void {
    const changedType = findObjectType(change.objectType)?.name ?? change.objectType;
    for (const install of this.deps.apps.listInstalls({ portalId: change.portalId })) {
      const app = this.deps.apps.get(install.appId);
      if (!app?.webhooks.targetUrl) continue;
      for (const sub of app.webhooks.subscriptions) {
        const subType = findObjectType(sub.objectType)?.name ?? sub.objectType;
        if (!sub.active || subType !== changedType || sub.propertyName !== change.propertyName) continue;
        this.batcher.add(String(app.appId), {
          eventId: this.nextEventId++,
          subscriptionId: sub.subscriptionId,
          portalId: change.portalId,
          appId: app.appId,
          occurredAt: change.occurredAt,
          subscriptionType: 'object.propertyChange',
          attemptNumber: 0,
          objectId: change.objectId,
          objectTypeId: change.objectTypeId,
          propertyName: change.propertyName,
          propertyValue: change.propertyValue,
          changeSource: change.changeSource,
          ...(change.sourceId === undefined ? {} : { sourceId: change.sourceId }),
          isSensitive: false,
        });
      }
    }
  }

  private send(appId: number, events: PropertyChangeEvent[]): void {
    const app = this.deps.apps.get(appId);
    const targetUrl = app?.webhooks.targetUrl;
    if (!app || !targetUrl) return;
    this.deps.dispatcher.send({
      url: targetUrl,
      summary: { appId, events: events.map(({ eventId, portalId, objectId, propertyName, propertyValue }) => ({ eventId, portalId, objectId, propertyName, propertyValue })) },
      render: (attempt) => renderDelivery(app, targetUrl, events, attempt, this.deps.clock.nowMs()),
    });
  }
}

/** One attempt's request: attemptNumber in every event, signatures over this body and this attempt's timestamp. */
export function renderDelivery(app: HubSpotApp, url: string, events: PropertyChangeEvent[], attempt: number, timestamp: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber: attempt })));
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      ...signedHeaders({ clientSecret: app.clientSecret, method: 'POST', uri: url, body, timestamp }),
    },
  };
}
