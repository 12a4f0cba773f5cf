import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { idSchema, propertiesSchema } from './deal-schemas';
import { HubSpotApiError, type HubSpotRequester } from './request';

/**
 * HubSpot's CRM search for deals in some stages changed within a time window
 * (`POST /crm/v3/objects/deals/search`, https://developers.hubspot.com/docs/api/crm/search): filters `dealstage IN`
 * and `hs_lastmodifieddate GTE/LT` (milliseconds), sorted by `hs_lastmodifieddate` ascending, paged with `after`.
 *
 * Search has a rate limit of its own, a few requests per second per account, counted apart from the ten-secondly
 * limit (a 429 "secondly limit"). So searches of one account from this process are spaced at least
 * SEARCH_SPACING_MS apart, and a 429 waits the time it asks for (1 s for the secondly limit) and tries again, a few
 * times, before the error goes to the caller.
 */
export const SEARCH_SPACING_MS = 250;
export const SEARCH_MAX_PAGE = 200;
/** HubSpot's search answers at most 10,000 results per query; `after` cannot page past that. */
export const SEARCH_MAX_RESULTS = 10_000;
const THROTTLED_TRIES = 4;

export interface FoundDeal {
  id: string;
  stage: string | null;
  pipeline: string | null;
  lastModified: Date | null;
}

export interface DealSearchPage {
  deals: FoundDeal[];
  /** The `after` of the next page; undefined on the last one. */
  next: string | undefined;
  total: number;
}

/** A deal found by `newestClosed`: what a list of deals shows before each deal is read whole. */
export interface ClosedDeal {
  id: string;
  name: string | null;
  /** As HubSpot gives it (ISO 8601); null when the deal has none. */
  closeDate: string | null;
  /** The deal's amount as HubSpot holds it (a decimal string, never turned into a float); null when unset. */
  amount: string | null;
  stage: string | null;
  pipeline: string | null;
}

export interface DealSearchQuery {
  stages: string[];
  modifiedFrom: Date;
  modifiedBefore: Date;
  after?: string;
  limit: number;
}

const searchAnswerSchema = z.object({
  total: z.number().int().nonnegative(),
  results: z.array(z.object({ id: idSchema, properties: propertiesSchema })),
  paging: z.object({ next: z.object({ after: z.string() }) }).optional(),
});

function instant(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

export class DealSearch {
  private readonly nextAllowedAt = new Map<number, number>();

  constructor(
    private readonly http: HubSpotRequester,
    private readonly spacingMs: number = SEARCH_SPACING_MS,
  ) {}

  async page(portalId: number, query: DealSearchQuery): Promise<DealSearchPage> {
    const body = {
      filterGroups: [
        {
          filters: [
            { propertyName: 'dealstage', operator: 'IN', values: query.stages },
            { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(query.modifiedFrom.getTime()) },
            { propertyName: 'hs_lastmodifieddate', operator: 'LT', value: String(query.modifiedBefore.getTime()) },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['dealstage', 'pipeline', 'hs_lastmodifieddate'],
      limit: Math.min(query.limit, SEARCH_MAX_PAGE),
      ...(query.after ? { after: query.after } : {}),
    };
    const answer = await this.searchOnce(portalId, body, 'searching for won deals');
    return {
      total: answer.total,
      next: answer.paging?.next.after,
      deals: answer.results.map((r) => ({
        id: r.id,
        stage: typeof r.properties.dealstage === 'string' ? r.properties.dealstage : null,
        pipeline: typeof r.properties.pipeline === 'string' ? r.properties.pipeline : null,
        lastModified: instant(r.properties.hs_lastmodifieddate),
      })),
    };
  }

  /**
   * Deals that absorbed others in a merge, changed within the window: HubSpot lists the ids a record absorbed in
   * `hs_merged_object_ids` (semicolon-separated; https://knowledge.hubspot.com/records/merge-records says the merged
   * record keeps the ids of the records merged into it). Same window, order and paging as `page`.
   */
  async mergedPage(portalId: number, query: Omit<DealSearchQuery, 'stages'>): Promise<{ deals: Array<{ id: string; mergedIds: string[]; lastModified: Date | null }>; next: string | undefined }> {
    const body = {
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_merged_object_ids', operator: 'HAS_PROPERTY' },
            { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(query.modifiedFrom.getTime()) },
            { propertyName: 'hs_lastmodifieddate', operator: 'LT', value: String(query.modifiedBefore.getTime()) },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['hs_merged_object_ids', 'hs_lastmodifieddate'],
      limit: Math.min(query.limit, SEARCH_MAX_PAGE),
      ...(query.after ? { after: query.after } : {}),
    };
    const answer = await this.searchOnce(portalId, body, 'searching for merged deals');
    return {
      next: answer.paging?.next.after,
      deals: answer.results.map((r) => ({
        id: r.id,
        mergedIds: String(r.properties.hs_merged_object_ids ?? '')
          .split(';')
          .map((v) => v.trim())
          .filter((v) => /^[1-9]\d{0,19}$/.test(v) && v !== r.id),
        lastModified: instant(r.properties.hs_lastmodifieddate),
      })),
    };
  }

  /** The `limit` deals in these stages with the latest close dates, newest first, in one search request. */
  async newestClosed(portalId: number, stages: string[], limit: number): Promise<ClosedDeal[]> {
    if (stages.length === 0) return [];
    const body = {
      filterGroups: [{ filters: [{ propertyName: 'dealstage', operator: 'IN', values: stages }] }],
      sorts: [{ propertyName: 'closedate', direction: 'DESCENDING' }],
      properties: ['dealname', 'closedate', 'amount', 'dealstage', 'pipeline'],
      limit: Math.min(limit, SEARCH_MAX_PAGE),
    };
    const answer = await this.searchOnce(portalId, body, 'searching for the latest won deals');
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
    return answer.results.map((r) => ({
      id: r.id,
      name: text(r.properties.dealname),
      closeDate: text(r.properties.closedate),
      amount: text(r.properties.amount),
      stage: text(r.properties.dealstage),
      pipeline: text(r.properties.pipeline),
    }));
  }

  private async searchOnce(portalId: number, body: object, what: string): Promise<z.infer<typeof searchAnswerSchema>> {
    for (let attempt = 1; ; attempt++) {
      await this.spaced(portalId);
      try {
        return await this.http.request(portalId, { method: 'POST', path: '/crm/v3/objects/deals/search', body, what }, searchAnswerSchema);
      } catch (err) {
        if (!(err instanceof HubSpotApiError) || err.status !== 429 || attempt >= THROTTLED_TRIES) throw err;
        this.nextAllowedAt.set(portalId, Date.now() + (err.retryAfterMs ?? 1000));
      }
    }
  }

  /** Waits until this account may search again, and books the next slot. */
  private async spaced(portalId: number): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAllowedAt.get(portalId) ?? 0);
    this.nextAllowedAt.set(portalId, at + this.spacingMs);
    if (at > now) await sleep(at - now);
  }
}
