import { z } from 'zod';
import { dedupeKey, describeIssues, MalformedDelivery, parseJson, toDate, type InboxEvent } from './inbox-event';

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
const hubspotBodySchema = z.array(hubspotEventSchema, { message: 'expected a JSON array of HubSpot events' });

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

export function parseHubSpotDelivery(body: Buffer): InboxEvent[] {
  const json = parseJson(body);
  const parsed = hubspotBodySchema.safeParse(json);
  if (!parsed.success) throw new MalformedDelivery(`The body is not a HubSpot webhook batch: ${describeIssues(parsed.error)}.`);
  const raw = json as Array<Record<string, unknown>>;
  return parsed.data.map((event, i) => {
    const { attemptNumber: _attempt, ...content } = raw[i]!;
    return {
      account: { portalId: event.portalId },
      dedupeKey: dedupeKey(content),
      eventType: event.subscriptionType,
      objectType: hubspotObjectType(event),
      objectId: event.objectId === undefined ? null : String(event.objectId),
      occurredAt: toDate(event.occurredAt),
      payload: raw[i],
      privacyDeletion: event.subscriptionType === 'contact.privacyDeletion',
    };
  });
}
