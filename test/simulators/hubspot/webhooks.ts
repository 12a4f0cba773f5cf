import type { SimClock } from '../common/clock';
import { Batcher, WebhookDispatcher } from '../common/webhooks';
import type { AppRegistry, HubSpotApp } from './apps';
import { findObjectType } from './crm/object-types';
import type { HubSpotAccounts, LifecycleEvent, PrivacyDeletion, PropertyChange } from './crm/store';
import { signedHeaders } from './signing';

/**
 * HubSpot's webhooks for project apps: every CRM property change that an installed app subscribed to, and every
 * GDPR delete of a contact when it subscribed to `contact.privacyDeletion`, becomes an event; events are sent in
 * batches of up to 100 per request per app and portal, signed (v3 and legacy v1), at most `maxConcurrentRequests`
 * requests at once (createWebhookDispatcher), and retried when the app answers non-2xx or takes longer than 5 s, up to 10
 * times over 24 hours, as HubSpot's webhooks guide says. Body and headers: fixture payloads.json
 * `webhook_generic_object_propertyChange_deal`. Whether HubSpot mixes portals in one request is unconfirmed; the
 * simulator does not, so that each request counts against one portal's concurrency.
 */

/**
 * Delays before retries 1..10. HubSpot documents only "up to 10 times over 24 hours"; doubling from one minute
 * (1, 2, 4 ... 512 minutes) spreads ten retries over about 17 hours, inside that window.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Array.from({ length: 10 }, (_, i) => 60_000 * 2 ** i);
/** A slower answer counts as a failure and is retried. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
export const WEBHOOK_BATCH_MAX = 100;

/** One property change event as HubSpot sends it, keys in the order of the fixture (attemptNumber is set per attempt). */
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

/**
 * `contact.privacyDeletion` (a contact deleted for good to honour a privacy request). HubSpot documents the
 * subscription (developers.hubspot.com/changelog/now-live-webhooks-now-support-privacy-compliant-contact-deletions,
 * and configure-webhooks' `hubEvents`) but shows no payload here. The fields are those of the legacy contact events,
 * as Slickteam/hubspot-java models this one (src/main/java/fr/slickteam/hubspot/api/webhook/contact/
 * ContactDeleteForPrivacyEvent.java: appId, eventId, subscriptionId, portalId, occurredAt, subscriptionType,
 * attemptNumber, objectId, changeSource); key order follows the property change fixture. Unconfirmed: the exact
 * key set and order, and the changeSource value (the simulator says CRM_UI for a user, API for the gdpr-delete call).
 * HubSpot also sends `contact.deletion` for the same delete (unconfirmed); the simulator sends only the privacy event.
 */
export interface PrivacyDeletionEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: 'contact.privacyDeletion';
  attemptNumber: number;
  objectId: number;
  changeSource: string;
}

/**
 * `object.deletion` / `object.restore`: the common event fields plus `objectTypeId` ("Creation, deletion, merge,
 * restore, and property change events will now include objectTypeId",
 * https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions; "No new payload properties
 * were added for restore", https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks).
 * Key order follows the property change fixture; whether HubSpot adds `changeFlag` or `isSensitive` is unconfirmed.
 */
export interface ObjectLifecycleEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: 'object.deletion' | 'object.restore';
  attemptNumber: number;
  objectId: number;
  objectTypeId: string;
  changeSource: string;
  sourceId?: string;
}

/**
 * `object.merge`: the common fields plus the merge fields of
 * https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks: `primaryObjectId` (the record given
 * priority), `mergedObjectIds` (the records merged into it), `newObjectId` (the resulting record's id, the same as
 * primaryObjectId when no new record was made), `numberOfPropertiesMoved`. `objectId` is the primary record here;
 * HubSpot does not say which id it carries (unconfirmed).
 */
export interface ObjectMergeEvent extends Omit<ObjectLifecycleEvent, 'subscriptionType'> {
  subscriptionType: 'object.merge';
  primaryObjectId: number;
  mergedObjectIds: number[];
  newObjectId: number;
  numberOfPropertiesMoved: number;
}

export type HubSpotWebhookEvent = PropertyChangeEvent | PrivacyDeletionEvent | ObjectLifecycleEvent | ObjectMergeEvent;

/** A property change event with its keys in the fixture's order; `sourceId` only when the change has one. */
export function propertyChangeEvent(fields: Omit<PropertyChangeEvent, 'subscriptionType'>): PropertyChangeEvent {
  return {
    eventId: fields.eventId,
    subscriptionId: fields.subscriptionId,
    portalId: fields.portalId,
    appId: fields.appId,
    occurredAt: fields.occurredAt,
    subscriptionType: 'object.propertyChange',
    attemptNumber: fields.attemptNumber,
    objectId: fields.objectId,
    objectTypeId: fields.objectTypeId,
    propertyName: fields.propertyName,
    propertyValue: fields.propertyValue,
    changeSource: fields.changeSource,
    ...(fields.sourceId === undefined ? {} : { sourceId: fields.sourceId }),
    isSensitive: fields.isSensitive,
  };
}

/**
 * A deal's stage change, the event DealBooks subscribes to, as HubSpot delivers it (fixture payloads.json
 * `webhook_generic_object_propertyChange_deal`): for tests and benches that post a delivery themselves rather than
 * edit a deal in the simulator. Unless given: the deal was moved to closedwon by a user (CRM_UI), first attempt.
 */
export function dealstageEvent(
  fields: Pick<PropertyChangeEvent, 'eventId' | 'subscriptionId' | 'portalId' | 'appId' | 'occurredAt' | 'objectId'> &
    Partial<Pick<PropertyChangeEvent, 'propertyValue' | 'attemptNumber' | 'changeSource' | 'sourceId'>>,
): PropertyChangeEvent {
  return propertyChangeEvent({
    attemptNumber: 0,
    objectTypeId: '0-3',
    propertyName: 'dealstage',
    propertyValue: 'closedwon',
    changeSource: 'CRM_UI',
    isSensitive: false,
    ...fields,
  });
}

export interface HubSpotWebhooksDeps {
  clock: SimClock;
  apps: AppRegistry;
  accounts: HubSpotAccounts;
  dispatcher: WebhookDispatcher;
  /** Simulated ms to collect events before sending a batch; 0 = what happens in the same tick. */
  batchWindowMs?: number;
}

/**
 * HubSpot's webhook concurrency: at most `maxConcurrentRequests` requests of one app for one portal are on the wire
 * to the app's target at once (webhooks-hsmeta.json `settings.maxConcurrentRequests`, 10 in HubSpot's examples,
 * developers.hubspot.com/docs/apps/developer-platform/add-features/configure-webhooks). Later requests, retries
 * included, wait for a free slot instead of failing:
 * each delivery's lane is its app and portal (batchKey), and the lane's limit is read from the app's settings.
 */
export function createWebhookDispatcher(clock: SimClock, apps: AppRegistry, timeoutMs = WEBHOOK_TIMEOUT_MS, route?: (url: string) => string): WebhookDispatcher {
  return new WebhookDispatcher({
    clock,
    route,
    retryDelaysMs: WEBHOOK_RETRY_DELAYS_MS,
    timeoutMs,
    laneLimit: (lane) => apps.get(appIdOf(lane))?.webhooks.maxConcurrentRequests ?? 1,
  });
}

export class HubSpotWebhooks {
  private readonly batcher: Batcher<HubSpotWebhookEvent>;
  private readonly unsubscribe: Array<() => void>;
  /** HubSpot's eventIds are large and not guaranteed unique; these are unique and increasing. */
  private nextEventId = 1;

  constructor(private readonly deps: HubSpotWebhooksDeps) {
    this.batcher = new Batcher<HubSpotWebhookEvent>({
      clock: deps.clock,
      max: WEBHOOK_BATCH_MAX,
      windowMs: deps.batchWindowMs ?? 0,
      flush: (key, events) => this.send(key, events),
    });
    this.unsubscribe = [
      deps.accounts.onPropertyChange((change) => this.onChange(change)),
      deps.accounts.onPrivacyDeletion((deletion) => this.onPrivacyDeletion(deletion)),
      deps.accounts.onLifecycle((event) => this.onLifecycle(event)),
    ];
  }

  /** Sends what is batched now (the control API's webhooks flush); batches over the concurrency limit wait. */
  flush(): void {
    this.batcher.flushAll();
  }

  /** Resolves once every batch was sent and no request is on the wire. */
  settle(): Promise<void> {
    return this.deps.dispatcher.settle();
  }

  reset(): void {
    this.batcher.clear();
    this.nextEventId = 1;
  }

  close(): void {
    for (const stop of this.unsubscribe) stop();
    this.batcher.clear();
  }

  private onChange(change: PropertyChange): void {
    const changedType = findObjectType(change.objectType)?.name ?? change.objectType;
    for (const { app, sub } of this.subscribers(change.portalId)) {
      if (sub.subscriptionType !== 'object.propertyChange') continue;
      const subType = findObjectType(sub.objectType)?.name ?? sub.objectType;
      if (subType !== changedType || sub.propertyName !== change.propertyName) continue;
      this.batcher.add(
        batchKey(app.appId, change.portalId),
        propertyChangeEvent({
          eventId: this.nextEventId++,
          subscriptionId: sub.subscriptionId,
          portalId: change.portalId,
          appId: app.appId,
          occurredAt: change.occurredAt,
          attemptNumber: 0,
          objectId: change.objectId,
          objectTypeId: change.objectTypeId,
          propertyName: change.propertyName,
          propertyValue: change.propertyValue,
          changeSource: change.changeSource,
          sourceId: change.sourceId,
          isSensitive: false,
        }),
      );
    }
  }

  private onPrivacyDeletion(deletion: PrivacyDeletion): void {
    for (const { app, sub } of this.subscribers(deletion.portalId)) {
      if (sub.subscriptionType !== 'contact.privacyDeletion') continue;
      this.batcher.add(batchKey(app.appId, deletion.portalId), {
        eventId: this.nextEventId++,
        subscriptionId: sub.subscriptionId,
        portalId: deletion.portalId,
        appId: app.appId,
        occurredAt: deletion.occurredAt,
        subscriptionType: 'contact.privacyDeletion',
        attemptNumber: 0,
        objectId: deletion.objectId,
        changeSource: deletion.changeSource,
      });
    }
  }

  private onLifecycle(event: LifecycleEvent): void {
    const subscriptionType = `object.${event.kind}` as const;
    const eventType = findObjectType(event.objectType)?.name ?? event.objectType;
    for (const { app, sub } of this.subscribers(event.portalId)) {
      if (sub.subscriptionType !== subscriptionType) continue;
      if ((findObjectType(sub.objectType)?.name ?? sub.objectType) !== eventType) continue;
      const common = {
        eventId: this.nextEventId++,
        subscriptionId: sub.subscriptionId,
        portalId: event.portalId,
        appId: app.appId,
        occurredAt: event.occurredAt,
        attemptNumber: 0,
        objectId: event.objectId,
        objectTypeId: event.objectTypeId,
        changeSource: event.changeSource,
        ...(event.sourceId === undefined ? {} : { sourceId: event.sourceId }),
      };
      const payload: HubSpotWebhookEvent =
        event.kind === 'merge'
          ? {
              ...withSubscriptionType(common, 'object.merge'),
              primaryObjectId: event.primaryObjectId,
              mergedObjectIds: [...event.mergedObjectIds],
              newObjectId: event.newObjectId,
              numberOfPropertiesMoved: event.numberOfPropertiesMoved,
            }
          : withSubscriptionType(common, event.kind === 'deletion' ? 'object.deletion' : 'object.restore');
      this.batcher.add(batchKey(app.appId, event.portalId), payload);
    }
  }

  /** The active subscriptions of every app installed in the portal that has a target URL. */
  private *subscribers(portalId: number): Generator<{ app: HubSpotApp; sub: HubSpotApp['webhooks']['subscriptions'][number] }> {
    for (const install of this.deps.apps.listInstalls({ portalId })) {
      const app = this.deps.apps.get(install.appId);
      if (!app?.webhooks.targetUrl) continue;
      for (const sub of app.webhooks.subscriptions) if (sub.active) yield { app, sub };
    }
  }

  private send(key: string, events: HubSpotWebhookEvent[]): void {
    const app = this.deps.apps.get(appIdOf(key));
    const targetUrl = app?.webhooks.targetUrl;
    if (!app || !targetUrl) return;
    this.deps.dispatcher.send({
      url: targetUrl,
      lane: key,
      summary: {
        appId: app.appId,
        events: events.map((e) => ({
          eventId: e.eventId,
          portalId: e.portalId,
          subscriptionType: e.subscriptionType,
          objectId: e.objectId,
          ...(e.subscriptionType === 'object.propertyChange' ? { propertyName: e.propertyName, propertyValue: e.propertyValue } : {}),
        })),
      },
      render: (attempt) => renderDelivery(app, targetUrl, events, attempt, this.deps.clock.nowMs()),
    });
  }
}

/** The event's keys in the fixture's order: subscriptionType after occurredAt. */
function withSubscriptionType<T extends string>(fields: Omit<ObjectLifecycleEvent, 'subscriptionType'>, subscriptionType: T): Omit<ObjectLifecycleEvent, 'subscriptionType'> & { subscriptionType: T } {
  const { eventId, subscriptionId, portalId, appId, occurredAt, ...rest } = fields;
  return { eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, ...rest };
}

/** Batches and concurrency are per app and portal. */
function batchKey(appId: number, portalId: number): string {
  return `${appId}:${portalId}`;
}

function appIdOf(key: string): number {
  return Number(key.split(':')[0]);
}

/** One attempt's request: attemptNumber in every event, signatures over this body and this attempt's timestamp. */
export function renderDelivery(app: HubSpotApp, url: string, events: HubSpotWebhookEvent[], attempt: number, timestamp: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber: attempt })));
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      ...signedHeaders({ clientSecret: app.clientSecret, method: 'POST', uri: url, body, timestamp }),
    },
  };
}
