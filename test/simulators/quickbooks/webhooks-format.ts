/**
 * What a QBO webhook looks like on the wire: the two payload formats, the signature and Intuit's retry schedule
 * (developer.intuit.com/app/developer/qbo/docs/develop/webhooks; the retries:
 * developer.intuit.com/app/developer/qbo/docs/develop/webhooks/best-practices). Pure functions; webhooks.ts decides
 * when to send.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { QboChange, QboOperation } from './company';

export type QboWebhookFormat = 'cloudevents' | 'legacy';

/**
 * Content-Type of both formats. For CloudEvents Intuit might send `application/cloudevents-batch+json`; that is
 * unconfirmed, so it stays plain JSON, here in one place.
 */
export const WEBHOOK_CONTENT_TYPE = 'application/json';
export const SIGNATURE_HEADER = 'intuit-signature';
/** Intuit sends at most 100 events per CloudEvents delivery; the legacy batches use the same cap. */
export const MAX_EVENTS_PER_DELIVERY = 100;

/**
 * CloudEvents `type` verbs per operation. Only `created` is shown by Intuit (fixture); updated/deleted follow the
 * same pattern and the names for Void, Emailed and Merge are unconfirmed, so they all live here.
 */
export const CLOUDEVENT_VERBS: Readonly<Record<QboOperation, string>> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
  Emailed: 'emailed',
  Merge: 'merged',
};

/** base64(HMAC-SHA256(key = verifier token, message = raw body)): the `intuit-signature` header. */
export function signWebhookBody(verifierToken: string, body: string | Buffer): string {
  return createHmac('sha256', verifierToken).update(body).digest('base64');
}

/** The CloudEvents `source`: "intuit." + a base64 value per app (the fixture's looks like a 32-byte hash). */
export function cloudEventSource(appKey: string): string {
  return `intuit.${createHash('sha256').update(appKey).digest('base64')}`;
}

/** QBO MetaData time (`2014-09-19T13:16:17-08:00`) as the UTC ISO text webhooks carry (`2025-09-08T20:52:31.657Z`). */
export function webhookTime(qboTime: string): string {
  const ms = Date.parse(qboTime);
  return Number.isNaN(ms) ? qboTime : new Date(ms).toISOString();
}

/** A JSON array of events, as in fixture webhook_cloudevents_intuit_blog_2025.json. `time` has nanoseconds there. */
export function renderCloudEvents(changes: readonly QboChange[], source: string): object[] {
  return changes.map((change) => ({
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: `qbo.${change.entity.toLowerCase()}.${CLOUDEVENT_VERBS[change.operation]}.v1`,
    datacontenttype: 'application/json',
    time: webhookTime(change.lastUpdated).replace(/Z$/, '000000Z'),
    intuitentityid: change.id,
    intuitaccountid: change.realmId,
    data: {},
  }));
}

/** `{eventNotifications:[{realmId, dataChangeEvent:{entities:[...]}}]}`, as in webhook_legacy_intuit_blog_2025.json. */
export function renderLegacy(realmId: string, changes: readonly QboChange[]): object {
  return {
    eventNotifications: [
      {
        realmId,
        dataChangeEvent: {
          entities: changes.map((c) => ({ name: c.entity, id: c.id, operation: c.operation, lastUpdated: webhookTime(c.lastUpdated) })),
        },
      },
    ],
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Reference: retries after 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then every 6 h. */
const INTUIT_FIRST_RETRIES_MS = [10 * SECOND, 20 * SECOND, 30 * SECOND, 5 * MINUTE, 20 * MINUTE, 2 * HOUR, 4 * HOUR, 6 * HOUR];
/** Intuit does not say when it gives up; the simulator stops once the retries would pass 3 days. */
export const WEBHOOK_RETRY_CAP_MS = 72 * HOUR;

/** Delays before retry 1..n: Intuit's schedule, "every 6 h" repeated while the total stays within `capMs`. */
export function intuitRetryDelays(capMs = WEBHOOK_RETRY_CAP_MS): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let i = 0; ; i++) {
    const next = INTUIT_FIRST_RETRIES_MS[i] ?? 6 * HOUR;
    if (total + next > capMs) return delays;
    delays.push(next);
    total += next;
  }
}
