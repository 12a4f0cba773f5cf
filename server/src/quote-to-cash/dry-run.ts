import { linksOfObjects } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { documentOf } from '../db/qbo-documents';
import { AppError, NotFoundError, RateLimitError, UpstreamError, UPSTREAM_NAMES } from '../errors';
import { withDeadline } from '../lib/deadline';
import type { DocumentPreview } from '../sync/build-document';
import type { Problem, QboDocumentKind } from '../sync/model';
import { allTriggerStages, dealTriggerStages } from '../sync/settings';
import { pipelinesOf } from './auto-invoice';
import { withinCardBudget } from './card-actions';
import type { QuoteToCashDeps } from './deps';
import { previewDocument } from './preview';

/**
 * The dry run: what auto-invoice would make, under the current settings, of the account's latest deals in a trigger
 * stage, so finance can check its settings before turning auto-invoice on. It follows auto-invoice's own rules
 * (quote-to-cash/auto-invoice.ts): the trigger stages of each deal's own pipeline (`dealTriggerStages`), and a deal
 * whose document is already linked gets no second one, so it is listed with that document instead of a preview.
 *
 * It only reads: each deal goes through the preview (preview.ts, which writes nothing to QuickBooks, HubSpot or
 * DealBooks' tables), one deal at a time, because each deal costs about five HubSpot calls (its line items and
 * products are already read in batches, deals.ts) and twenty of them come close to HubSpot's 100-odd calls per ten
 * seconds; the deals come from one search request and their links from one database read.
 *
 * It is bounded, because the settings page calls it through HubSpot's `hubspot.fetch`, which gives up after 15 s:
 * after DRY_RUN_BUDGET_MS the deals not read yet are listed with a problem saying to run it again. And one dry run
 * per account runs at a time in this process: a second one meanwhile is refused with 429 and Retry-After rather than
 * queued, since both would spend the same HubSpot budget and the page can simply ask again.
 */
export const DRY_RUN_DEALS = 20;
export const DRY_RUN_BUDGET_MS = 10_000;
/** Asking again after this long finds the running dry run finished (its budget plus the search before it). */
const DRY_RUN_RETRY_AFTER_S = 12;

export interface DryRunDeal {
  dealId: string;
  dealName: string | null;
  /** As HubSpot holds it (ISO 8601), or null. */
  closeDate: string | null;
  /** The deal's amount as HubSpot holds it (a decimal string), or null. */
  amount: string | null;
  /** The document auto-invoice would create now (as GET /api/deals/:id/preview shows it), null when it could not or would not. */
  document: DocumentPreview | null;
  /** The deal's document already made (auto-invoice makes no second one), with words; null otherwise. */
  already: { kind: QboDocumentKind; id: string; docNumber: string | null; message: string } | null;
  problems: Problem[];
}

const running = new Set<number>();

export async function dryRun(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }, options: { budgetMs?: number } = {}): Promise<{ deals: DryRunDeal[] }> {
  const { portalId } = who;
  if (running.has(portalId)) {
    throw new RateLimitError('A dry run for this account is already running. Wait for it to finish, then run it again.', { retryAfterSeconds: DRY_RUN_RETRY_AFTER_S });
  }
  running.add(portalId);
  try {
    return await dryRunOnce(deps, who, options.budgetMs ?? DRY_RUN_BUDGET_MS);
  } finally {
    running.delete(portalId);
  }
}

async function dryRunOnce(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }, budgetMs: number): Promise<{ deals: DryRunDeal[] }> {
  const { portalId } = who;
  // Real time, not the service clock: the bound is on how long the person waits.
  const deadline = Date.now() + budgetMs;
  const left = () => Math.max(0, deadline - Date.now());
  const [{ settings }, pipelines, connection] = await withinCardBudget(
    Promise.all([readSettings(deps.pool, portalId), pipelinesOf(deps, portalId), deps.connections.live(portalId)]),
    'Reading the settings and pipelines',
    left(),
  );
  // Twice as many as listed: a deal found by a stage that triggers only in another pipeline is left out below.
  const found = await withinCardBudget(deps.deals.newestClosedDeals(portalId, allTriggerStages(settings, pipelines), DRY_RUN_DEALS * 2), 'Searching for the latest deals', left());
  const triggered = found.filter((d) => d.stage !== null && dealTriggerStages(settings, pipelines, d.pipeline).includes(d.stage)).slice(0, DRY_RUN_DEALS);
  const kind = settings.documentKind;
  const links = connection ? await linksOfObjects(deps.pool, connection.id, 'deal', triggered.map((d) => d.id), kind === 'invoice' ? 'Invoice' : 'Estimate') : new Map();

  const deals: DryRunDeal[] = [];
  for (const deal of triggered) {
    const base = { dealId: deal.id, dealName: deal.name, closeDate: deal.closeDate, amount: deal.amount, document: null, already: null };
    const link = links.get(deal.id);
    if (connection && link?.status === 'linked' && link.qboEntityId) {
      const doc = await documentOf(deps.pool, portalId, connection.id, kind, link.qboEntityId);
      const docNumber = doc?.docNumber ?? null;
      const message = `This deal already has its ${kind} ${docNumber ?? link.qboEntityId} in QuickBooks; auto-invoice would not make another.`;
      deals.push({ ...base, already: { kind, id: link.qboEntityId, docNumber, message }, problems: [] });
      continue;
    }
    if (left() === 0) {
      deals.push({ ...base, problems: [notInTime()] });
      continue;
    }
    try {
      const preview = await withDeadline(previewDocument(deps, who, deal.id, kind, { auto: true }), left(), () => new DryRunTimeout());
      deals.push({ ...base, document: preview.document, problems: preview.problems });
    } catch (err) {
      deals.push({ ...base, problems: [err instanceof DryRunTimeout ? notInTime() : unreadable(err)] });
    }
  }
  return { deals };
}

class DryRunTimeout extends Error {}

function notInTime(): Problem {
  return { code: 'temporarily_failed', message: 'Not read in time: HubSpot or QuickBooks answered slowly. Run the dry run again.' };
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
