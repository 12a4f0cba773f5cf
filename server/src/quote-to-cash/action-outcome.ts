import type { DealAction } from '../db/deal-actions';
import { markRejected, type EntityLink } from '../db/entity-links';
import { recordSync } from '../db/sync-log';
import type { QuickbooksApiError } from '../quickbooks/api';
import type { Problem } from '../sync/model';
import type { QuoteToCashDeps } from './deps';
import { refusalProblem } from './problems';
import { safeWriteBack } from './write-back';

/** How a deal action ended: the action row and the card show these. */
export interface ActionOutcome {
  status: 'succeeded' | 'failed' | 'blocked';
  problems: Problem[];
  result?: Record<string, unknown>;
}

/**
 * The action cannot go on until a person fixes something (the problems say what): the sync log records it, and the
 * deal's "last problem" property shows it when the deal exists.
 */
export async function blocked(deps: QuoteToCashDeps, action: DealAction, problems: Problem[], options: { writeBack: boolean }): Promise<ActionOutcome> {
  const message = problems.map((p) => p.message).join(' ');
  await recordSync(
    deps.pool,
    { portalId: action.portalId, action: action.kind, outcome: 'blocked', message, dealId: action.dealId, dealActionId: action.id, errorCode: problems[0]?.code ?? null, details: { problems } },
    deps.clock.now(),
  );
  if (options.writeBack) await safeWriteBack(deps, action.portalId, action.dealId, message);
  return { status: 'blocked', problems };
}

/**
 * QuickBooks refused a write outright: nothing was created. The sync log records QBO's code and intuit_tid; a link
 * whose write was refused takes a fresh request id (so a retry is a new write, not a replay of the refusal).
 */
export async function refused(
  deps: QuoteToCashDeps,
  action: DealAction,
  err: QuickbooksApiError,
  what: string,
  options: { link?: EntityLink; writeBack: boolean },
): Promise<ActionOutcome> {
  const problem = refusalProblem(what, err);
  const now = deps.clock.now();
  if (options.link) await markRejected(deps.pool, options.link.id, problem.message, now);
  await recordSync(
    deps.pool,
    { portalId: action.portalId, action: action.kind, outcome: 'failed', message: problem.message, dealId: action.dealId, dealActionId: action.id, intuitTid: err.intuitTid ?? null, errorCode: err.code ?? String(err.status) },
    now,
  );
  if (options.writeBack) await safeWriteBack(deps, action.portalId, action.dealId, problem.message);
  return { status: 'failed', problems: [problem] };
}
