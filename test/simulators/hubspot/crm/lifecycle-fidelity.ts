import { z } from 'zod';

/**
 * Behaviour of HubSpot that public sources do not pin down (or that HubSpot has changed over time), as switches a
 * test or the sandbox can set. Each default names its source; where none confirms it, the comment says so.
 */
export const hubspotFidelitySchema = z.object({
  /**
   * The `sourceId` of events caused by an app's own API writes (made with its OAuth token), with `{appId}` standing
   * for the app's id. Captured deliveries in public code show `changeSource: "INTEGRATION"` with `sourceId` equal to
   * the writing app's id as a string (e.g. appId 50780459, sourceId "50780459"); HubSpot's webhooks guide
   * (https://developers.hubspot.com/docs/api/webhooks) lists the fields but documents no format for sourceId, so it
   * is configurable.
   */
  integrationSourceId: z.string().min(1).default('{appId}'),
  /**
   * Which id the merged record has. HubSpot's changelog "Updated merge functionality for contacts and companies"
   * (https://developers.hubspot.com/changelog/updated-merge-functionality-for-contacts-and-companies) says a merge
   * now creates a new record with a new id, "consistent with merges for other object types", where it used to keep
   * the primary's id: `'new'` (default) follows it, `'primary'` is the older behaviour that older guides describe.
   */
  mergeSurvivor: z.enum(['primary', 'new']).default('new'),
  /**
   * Reading a merged-away id (`GET /crm/v3/objects/{type}/{id}`, PATCH, associations). The same changelog: "both
   * of the previous IDs will point to the resulting merged record, so fetching any records using the original IDs
   * will return the new merged record with the new ID" (`'survivor'`, default). `'not-found'` answers 404 instead,
   * for code that must not rely on it.
   */
  mergedIdRead: z.enum(['survivor', 'not-found']).default('survivor'),
  /**
   * Whether a merge also sends `object.deletion` for each record that no longer exists under its own id. HubSpot's
   * webhook docs and the changelog that introduced merge events
   * (https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks) do not say. A public report
   * (https://github.com/amp-labs/connectors/pull/3487) says HubSpot "fires contact.deletion for each merged-away
   * secondary record", so the default is true; unconfirmed by HubSpot.
   */
  deletionOnMerge: z.boolean().default(true),
});

export type HubSpotFidelity = z.infer<typeof hubspotFidelitySchema>;
export type HubSpotFidelityOptions = z.input<typeof hubspotFidelitySchema>;

export const DEFAULT_FIDELITY: Readonly<HubSpotFidelity> = Object.freeze(hubspotFidelitySchema.parse({}));

/** A change of fidelity switches: what is given replaces, what is absent stays. */
export const hubspotFidelityPatchSchema = z
  .object({
    integrationSourceId: z.string().min(1),
    mergeSurvivor: z.enum(['primary', 'new']),
    mergedIdRead: z.enum(['survivor', 'not-found']),
    deletionOnMerge: z.boolean(),
  })
  .partial()
  .strict();

/** The sourceId of an app's own writes under the configured format. */
export function integrationSourceId(fidelity: HubSpotFidelity, appId: string | number): string {
  return fidelity.integrationSourceId.replaceAll('{appId}', String(appId));
}
