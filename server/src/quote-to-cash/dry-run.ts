import { readSettings } from '../db/portal-settings';
import { AppError, NotFoundError, UpstreamError, UPSTREAM_NAMES } from '../errors';
import type { DocumentPreview } from '../sync/build-document';
import type { Problem } from '../sync/model';
import { wonStageIds } from '../sync/settings';
import { pipelinesOf } from './auto-invoice';
import type { QuoteToCashDeps } from './deps';
import { previewDocument } from './preview';

/**
 * The dry run: what auto-invoice would make, under the current settings, of the account's latest won deals, so
 * finance can check its settings before turning auto-invoice on. It only reads: each deal goes through the preview
 * (preview.ts, which writes nothing to QuickBooks or HubSpot), one deal at a time, because each deal costs about five
 * HubSpot calls and twenty of them come close to HubSpot's 100-odd calls per ten seconds; the deals themselves come
 * from one search request (HubSpot's search has its own, smaller limit).
 */
export const DRY_RUN_DEALS = 20;

export interface DryRunDeal {
  dealId: string;
  dealName: string | null;
  /** As HubSpot holds it (ISO 8601), or null. */
  closeDate: string | null;
  /** The deal's amount as HubSpot holds it (a decimal string), or null. */
  amount: string | null;
  /** The document auto-invoice would create now (as GET /api/deals/:id/preview shows it), null when it could not. */
  document: DocumentPreview | null;
  problems: Problem[];
}

export async function dryRun(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }): Promise<{ deals: DryRunDeal[] }> {
  const { portalId } = who;
  const [{ settings }, pipelines] = await Promise.all([readSettings(deps.pool, portalId), pipelinesOf(deps, portalId)]);
  const won = [...new Set(pipelines.flatMap((p) => wonStageIds(p)))];
  const found = await deps.deals.newestClosedDeals(portalId, won, DRY_RUN_DEALS);
  const deals: DryRunDeal[] = [];
  for (const deal of found) {
    const base = { dealId: deal.id, dealName: deal.name, closeDate: deal.closeDate, amount: deal.amount };
    try {
      const preview = await previewDocument(deps, who, deal.id, settings.documentKind, { auto: true });
      deals.push({ ...base, document: preview.document, problems: preview.problems });
    } catch (err) {
      deals.push({ ...base, document: null, problems: [unreadable(err)] });
    }
  }
  return { deals };
}

/** A deal that could not be previewed is listed with why, so one slow answer does not hide the others. */
function unreadable(err: unknown): Problem {
  if (err instanceof NotFoundError) return { code: 'deal_not_found', message: err.message };
  if (err instanceof UpstreamError) {
    const name = UPSTREAM_NAMES[err.provider];
    return {
      code: err.provider === 'hubspot' ? 'hubspot_unavailable' : 'quickbooks_unavailable',
      message: err.trouble === 'rate_limited' ? `${name} asked DealBooks to slow down, so this deal was not read. Run the dry run again in a minute.` : `${name} did not answer for this deal. Run the dry run again in a minute.`,
    };
  }
  if (err instanceof AppError) return { code: 'temporarily_failed', message: err.message };
  throw err;
}
