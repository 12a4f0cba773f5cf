import { z } from 'zod';

/**
 * The HubSpot answers the deal adapter relies on, as zod schemas: only the fields DealBooks reads are checked, the
 * rest passes by. Shapes from HubSpot's CRM v3 API (https://developers.hubspot.com/docs/api/crm/understanding-the-crm)
 * and the fixture `deal_get_with_associations` (test/fixtures/hubspot/payloads.json).
 */

/** Every property value is a string on the wire; a requested property without a value comes back as null. */
export const propertiesSchema = z.record(z.string(), z.string().nullable());

/** Ids are numeric strings; v4 answers send numbers ("toObjectId may be a number or a string"): accept both. */
export const idSchema = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const pagingSchema = z.object({ next: z.object({ after: z.string().optional(), link: z.string().optional() }).optional() }).optional();

/** v3 `CollectionResponseAssociatedId`: `{results:[{id, type}], paging?}`. */
export const associatedIdsSchema = z.object({
  results: z.array(z.object({ id: idSchema, type: z.string() })),
  paging: pagingSchema,
});
export type AssociatedIds = z.infer<typeof associatedIdsSchema>;

/** `GET /crm/v3/objects/{type}/{id}?properties=&associations=`: associations keyed by target type ("line items"). */
export const crmObjectSchema = z.object({
  id: idSchema,
  properties: propertiesSchema,
  associations: z.record(z.string(), associatedIdsSchema).optional(),
});
export type CrmObject = z.infer<typeof crmObjectSchema>;

/** `GET /crm/v3/objects/{type}/{id}?archived=true`: an archived record carries `archivedAt` (ISO 8601). */
export const archivedObjectSchema = z.object({ id: idSchema, archivedAt: z.string().optional() });

/** `batch/read`: 200, or 207 with `errors` for ids that no longer exist (those are simply absent from results). */
export const batchReadSchema = z.object({
  results: z.array(z.object({ id: idSchema, properties: propertiesSchema })),
});

/** `GET /crm/v3/objects/products`: a page of products and the `after` of the next. */
export const productListSchema = batchReadSchema.extend({ paging: pagingSchema });

/** `GET /crm/v4/objects/{from}/{id}/associations/{to}`: `{results:[{toObjectId, associationTypes}], paging}`. */
export const v4AssociationsSchema = z.object({
  results: z.array(
    z.object({
      toObjectId: idSchema,
      associationTypes: z.array(z.object({ category: z.string(), typeId: z.number().int(), label: z.string().nullable().optional() })),
    }),
  ),
  paging: pagingSchema,
});
export type V4Associations = z.infer<typeof v4AssociationsSchema>;

/** `GET /crm/v3/pipelines/deals`: metadata values are strings ("true", "1.0"); not paged. */
export const pipelinesSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      displayOrder: z.number().optional(),
      archived: z.boolean().optional(),
      stages: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          displayOrder: z.number().optional(),
          archived: z.boolean().optional(),
          metadata: z.object({ isClosed: z.string().nullable().optional(), probability: z.string().nullable().optional() }).optional(),
        }),
      ),
    }),
  ),
});
export type WirePipeline = z.infer<typeof pipelinesSchema>['results'][number];

/** `GET /crm/v3/owners/{id}`. */
export const ownerSchema = z.object({
  id: idSchema,
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
});

/** A create's answer: DealBooks keeps only the id. */
export const createdSchema = z.object({ id: idSchema });

/** `{status:"error", message, correlationId, category, ...}`: read leniently, it only words our own error. */
export const errorBodySchema = z.object({
  message: z.string().optional(),
  policyName: z.string().optional(),
  category: z.string().optional(),
  correlationId: z.string().optional(),
});
