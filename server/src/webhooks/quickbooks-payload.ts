import { z } from 'zod';
import { describeJsonProblem, findUnstorable } from '../lib/postgres-text';
import { dedupeKey, describeIssues, MalformedDelivery, parseEach, parseJson, storablePayload, storageProblem, toDate, type InboxEvent, type ParsedDelivery } from './inbox-event';

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

/** An event names its company by realm id: one Postgres cannot store cannot be attributed to any account. */
function realmProblem(index: number, realmId: string): string | null {
  const found = findUnstorable(realmId);
  return found ? `event ${index} cannot be understood: its realm id ${describeJsonProblem(found, '').trim()}` : null;
}

/** Each event on its own, as for HubSpot (hubspot-payload.ts). */
function cloudEvents(json: unknown[]): ParsedDelivery {
  const { parsed, rejected } = parseEach(cloudEventSchema, json, 'a QuickBooks CloudEvents batch');
  const events: InboxEvent[] = [];
  for (const { index, data: event } of parsed) {
    const unknownRealm = realmProblem(index, event.intuitaccountid);
    if (unknownRealm) {
      rejected.push(unknownRealm);
      continue;
    }
    const failure = storageProblem(index, json[index], { field: 'time', value: event.time });
    const [, entity = '', verb = ''] = CLOUDEVENT_TYPE.exec(event.type) ?? [];
    const key = { realm: event.intuitaccountid, type: event.type, entity: event.intuitentityid, time: event.time ?? null, id: event.id };
    events.push({
      account: { realmId: event.intuitaccountid },
      // `id` identifies the event; a redelivery repeats it, and the rest pins it down should an id ever repeat.
      dedupeKey: dedupeKey(failure ? storablePayload(key) : key),
      eventType: `qbo.${entity.toLowerCase()}.${verb.toLowerCase()}.v1`,
      objectType: entity.toLowerCase(),
      objectId: failure ? String(storablePayload(event.intuitentityid)) : event.intuitentityid,
      occurredAt: failure ? null : toDate(event.time),
      payload: failure ? storablePayload(json[index]) : json[index],
      privacyDeletion: false,
      failure,
    });
  }
  return { events, rejected };
}

function legacyNotifications(json: unknown): ParsedDelivery {
  const parsed = legacyBodySchema.safeParse(json);
  if (!parsed.success) throw new MalformedDelivery(`The body is not a QuickBooks eventNotifications payload: ${describeIssues(parsed.error)}.`);
  const events: InboxEvent[] = [];
  const rejected: string[] = [];
  let index = 0;
  for (const notification of parsed.data.eventNotifications) {
    for (const entity of notification.dataChangeEvent.entities) {
      const at = index++;
      const unknownRealm = realmProblem(at, notification.realmId);
      if (unknownRealm) {
        rejected.push(unknownRealm);
        continue;
      }
      const payload = { realmId: notification.realmId, ...entity };
      const failure = storageProblem(at, payload, { field: 'lastUpdated', value: entity.lastUpdated });
      const verb = LEGACY_VERBS[entity.operation] ?? entity.operation.toLowerCase();
      const key = { realm: notification.realmId, name: entity.name, id: entity.id, operation: entity.operation, lastUpdated: entity.lastUpdated ?? null };
      const [name, id, storedVerb] = failure ? (storablePayload([entity.name, entity.id, verb]) as string[]) : [entity.name, entity.id, verb];
      events.push({
        account: { realmId: notification.realmId },
        dedupeKey: dedupeKey(failure ? storablePayload(key) : key),
        eventType: `qbo.${name!.toLowerCase()}.${storedVerb}.v1`,
        objectType: name!.toLowerCase(),
        objectId: id!,
        occurredAt: failure ? null : toDate(entity.lastUpdated),
        payload: failure ? storablePayload(payload) : payload,
        privacyDeletion: false,
        failure,
      });
    }
  }
  return { events, rejected };
}

export function parseQuickbooksDelivery(body: Buffer): ParsedDelivery {
  const json = parseJson(body);
  if (Array.isArray(json)) return cloudEvents(json);
  if (json !== null && typeof json === 'object' && 'eventNotifications' in json) return legacyNotifications(json);
  throw new MalformedDelivery('The body is neither a QuickBooks CloudEvents array nor an {"eventNotifications": [...]} payload.');
}
