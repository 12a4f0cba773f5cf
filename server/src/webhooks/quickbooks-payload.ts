import { z } from 'zod';
import { dedupeKey, describeIssues, MalformedDelivery, parseJson, toDate, type InboxEvent } from './inbox-event';

/**
 * QuickBooks' webhook bodies, in both formats Intuit sends (samples: test/fixtures/quickbooks/
 * webhook_cloudevents_intuit_blog_2025.json and webhook_legacy_intuit_blog_2025.json):
 * - CloudEvents: a JSON array of `{id, type: "qbo.<entity>.<verb>.v1", time, intuitentityid, intuitaccountid}`;
 * - legacy: `{"eventNotifications": [{realmId, dataChangeEvent: {entities: [{name, id, operation, lastUpdated}]}}]}`.
 * Both become events typed in the CloudEvents vocabulary, so the rest of DealBooks reads one kind of event type.
 */
const qboId = z.union([z.string().min(1), z.number()]).transform(String);

/**
 * Only the `created` verb is shown in Intuit's published samples; the other verbs are taken to follow the same
 * pattern, so any verb is accepted rather than a guessed list.
 */
const CLOUDEVENT_TYPE = /^qbo\.([A-Za-z0-9_]+)\.([A-Za-z_]+)\.v\d+$/;

const cloudEventSchema = z.looseObject({
  specversion: z.string().optional(),
  id: z.string().min(1),
  type: z.string().regex(CLOUDEVENT_TYPE, 'expected a type like qbo.invoice.created.v1'),
  time: z.string().optional(),
  intuitentityid: qboId,
  intuitaccountid: qboId,
});
const cloudEventsBodySchema = z.array(cloudEventSchema);

const legacyBodySchema = z.looseObject({
  eventNotifications: z.array(
    z.looseObject({
      realmId: qboId,
      dataChangeEvent: z.looseObject({
        entities: z.array(
          z.looseObject({
            name: z.string().min(1),
            id: qboId,
            operation: z.string().min(1),
            lastUpdated: z.string().optional(),
          }),
        ),
      }),
    }),
  ),
});

/** Legacy operations in the CloudEvents vocabulary (void, emailed and merge by the same pattern as created). */
const LEGACY_VERBS: Readonly<Record<string, string>> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
  Emailed: 'emailed',
  Merge: 'merged',
};

function cloudEvents(json: unknown[]): InboxEvent[] {
  const parsed = cloudEventsBodySchema.safeParse(json);
  if (!parsed.success) throw new MalformedDelivery(`The body is not a QuickBooks CloudEvents batch: ${describeIssues(parsed.error)}.`);
  return parsed.data.map((event, i) => {
    const [, entity = '', verb = ''] = CLOUDEVENT_TYPE.exec(event.type) ?? [];
    return {
      account: { realmId: event.intuitaccountid },
      // `id` identifies the event; a redelivery repeats it, and the rest pins it down should an id ever repeat.
      dedupeKey: dedupeKey({ realm: event.intuitaccountid, type: event.type, entity: event.intuitentityid, time: event.time ?? null, id: event.id }),
      eventType: `qbo.${entity.toLowerCase()}.${verb.toLowerCase()}.v1`,
      objectType: entity.toLowerCase(),
      objectId: event.intuitentityid,
      occurredAt: toDate(event.time),
      payload: json[i],
      privacyDeletion: false,
    };
  });
}

function legacyNotifications(json: unknown): InboxEvent[] {
  const parsed = legacyBodySchema.safeParse(json);
  if (!parsed.success) throw new MalformedDelivery(`The body is not a QuickBooks eventNotifications payload: ${describeIssues(parsed.error)}.`);
  return parsed.data.eventNotifications.flatMap((notification) =>
    notification.dataChangeEvent.entities.map((entity): InboxEvent => {
      const verb = LEGACY_VERBS[entity.operation] ?? entity.operation.toLowerCase();
      return {
        account: { realmId: notification.realmId },
        dedupeKey: dedupeKey({ realm: notification.realmId, name: entity.name, id: entity.id, operation: entity.operation, lastUpdated: entity.lastUpdated ?? null }),
        eventType: `qbo.${entity.name.toLowerCase()}.${verb}.v1`,
        objectType: entity.name.toLowerCase(),
        objectId: entity.id,
        occurredAt: toDate(entity.lastUpdated),
        payload: { realmId: notification.realmId, ...entity },
        privacyDeletion: false,
      };
    }),
  );
}

export function parseQuickbooksDelivery(body: Buffer): InboxEvent[] {
  const json = parseJson(body);
  if (Array.isArray(json)) return cloudEvents(json);
  if (json !== null && typeof json === 'object' && 'eventNotifications' in json) return legacyNotifications(json);
  throw new MalformedDelivery('The body is neither a QuickBooks CloudEvents array nor an {"eventNotifications": [...]} payload.');
}
