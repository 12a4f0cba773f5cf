import { z } from 'zod';
import { storableText } from '../lib/postgres-text';
import { dedupeKey, MalformedDelivery, parseEach, parseJson, storablePayload, storageProblem, toDate, type ParsedDelivery } from './inbox-event';

/**
 * HubSpot's webhook body: a JSON array of events, each naming its portal (https://developers.hubspot.com/docs/api/webhooks).
 * `eventId` is not unique across events, and `attemptNumber` changes with every retry of the same event, so the
 * content without attemptNumber is what identifies an event.
 */
const numericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'expected a numeric id')]);

const hubspotEventSchema = z
  .looseObject({
    eventId: numericId.optional(),
    subscriptionId: numericId.optional(),
    portalId: z
      .union([z.number().int().positive(), z.string().regex(/^[1-9]\d*$/, 'expected a numeric id').transform(Number)])
      .refine(Number.isSafeInteger, 'expected a HubSpot account id'),
    appId: numericId.optional(),
    occurredAt: z.number().optional(),
    subscriptionType: z.string().min(1),
    attemptNumber: z.number().int().optional(),
    objectId: numericId.optional(),
    objectTypeId: z.string().optional(),
  })
  .refine((e) => e.subscriptionType !== 'contact.privacyDeletion' || e.objectId !== undefined, {
    message: 'a contact.privacyDeletion event must name the contact (objectId)',
    path: ['objectId'],
  });

/** HubSpot's object type ids for the standard objects, as DealBooks names them. */
const HUBSPOT_OBJECT_TYPES: Readonly<Record<string, string>> = {
  '0-1': 'contact',
  '0-2': 'company',
  '0-3': 'deal',
  '0-7': 'product',
  '0-8': 'line_item',
};

function hubspotObjectType(event: z.infer<typeof hubspotEventSchema>): string | null {
  if (event.objectTypeId) return HUBSPOT_OBJECT_TYPES[event.objectTypeId] ?? event.objectTypeId;
  // Legacy and hub events name the object in the subscription type: contact.privacyDeletion, deal.propertyChange.
  const prefix = event.subscriptionType.split('.')[0];
  return prefix && prefix !== 'object' && event.subscriptionType.includes('.') ? prefix : null;
}

/**
 * Each event is taken on its own: one that does not fit the schema is rejected, one that Postgres cannot store as
 * sent is kept as failed (storageProblem), and the others are stored whatever their neighbours hold.
 */
export function parseHubSpotDelivery(body: Buffer): ParsedDelivery {
  const json = parseJson(body);
  if (!Array.isArray(json)) throw new MalformedDelivery('The body is not a HubSpot webhook batch: (body): expected a JSON array of HubSpot events.');
  const { parsed, rejected } = parseEach(hubspotEventSchema, json, 'a HubSpot webhook batch');
  const events = parsed.map(({ index, data: event }) => {
    const { attemptNumber: _attempt, ...content } = json[index] as Record<string, unknown>;
    const failure = storageProblem(index, json[index], { field: 'occurredAt', value: event.occurredAt });
    const objectType = hubspotObjectType(event);
    return {
      account: { portalId: event.portalId },
      dedupeKey: dedupeKey(failure ? storablePayload(content) : content),
      eventType: storableText(event.subscriptionType),
      objectType: objectType === null ? null : storableText(objectType),
      objectId: event.objectId === undefined ? null : String(event.objectId),
      occurredAt: failure ? null : toDate(event.occurredAt),
      payload: failure ? storablePayload(json[index]) : json[index],
      privacyDeletion: !failure && event.subscriptionType === 'contact.privacyDeletion',
      failure,
    };
  });
  return { events, rejected };
}
