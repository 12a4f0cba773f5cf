import { readLifecycle, survivorOf } from '../db/deal-lifecycle';
import { finishAction, getAction, markRunning, waitForPerson, waitForRetry, type DealAction } from '../db/deal-actions';
import { recordSync } from '../db/sync-log';
import { JobMustWaitError } from '../errors';
import type { Logger } from '../logger';
import { HubSpotApiError } from '../hubspot/request';
import { QuickbooksApiError } from '../quickbooks/api';
import { interruptionOf, type FailureFacts } from '../sync/interruption';
import type { Problem } from '../sync/model';
import type { ActionOutcome } from './action-outcome';
import { convertEstimate } from './convert-estimate';
import { createDocument } from './create-document';
import { applyLifecycleEvents, mergeDeals } from './deal-lifecycle';
import type { QuoteToCashDeps } from './deps';
import { blockedProblem, sentence } from './problems';
import { sendInvoice } from './send-invoice';
import { safeWriteBack } from './write-back';

/**
 * Runs one queued deal action to its end, whatever asked for it (the card, auto-invoice, a retry). An outcome that
 * is final (succeeded, failed, blocked on something a person must fix) is stored on the action; anything that may
 * pass (QuickBooks or HubSpot unavailable, an unknown outcome) throws, and the job queue tries again later.
 */
export async function runAction(deps: QuoteToCashDeps, action: DealAction, options: { lastAttempt?: boolean } = {}): Promise<ActionOutcome> {
  const log = deps.logger.child({ component: 'quote-to-cash', portalId: action.portalId, dealId: action.dealId, actionId: action.id, kind: action.kind });
  await markRunning(deps.pool, action.id, deps.clock.now());
  let outcome: ActionOutcome;
  try {
    outcome = await carryOut(deps, action, log);
  } catch (err) {
    // A worker that stalled past its job's expiry wakes after another worker finished the action: its late failure
    // must not reopen the action or promise a retry that will never come.
    const now = await getAction(deps.pool, action.portalId, action.id);
    if (now && now.status !== 'queued' && now.status !== 'running') {
      log.warn({ err, status: now.status }, 'a late answer to an attempt of an action that has already ended; ignored');
      return { status: now.status, problems: now.problems, result: now.result ?? undefined };
    }
    // The last attempt's failure is recorded once, by giveUp: no promise of another try that will not come.
    if (!options.lastAttempt || err instanceof JobMustWaitError) await recordInterruption(deps, action, err);
    throw err;
  }
  await finishAction(deps.pool, action.id, outcome, deps.clock.now());
  log.info({ status: outcome.status, problems: outcome.problems.map((p) => p.code) }, 'deal action finished');
  return outcome;
}

/** Says in the sync log (and on the action, when a person must act) why the attempt did not finish. */
async function recordInterruption(deps: QuoteToCashDeps, action: DealAction, err: unknown): Promise<void> {
  const logged = { portalId: action.portalId, action: action.kind, dealId: action.dealId, dealActionId: action.id };
  // A connection a person must repair (ConnectionBlockedError is one): the job queue parks the job on this error.
  if (err instanceof JobMustWaitError) {
    const problem = blockedProblem(err);
    await recordSync(deps.pool, { ...logged, outcome: 'blocked', message: problem.message, errorCode: problem.code }, deps.clock.now());
    // Waiting (not failing) until someone reconnects: the action stays queued and its job is parked.
    await waitForPerson(deps.pool, action.id, problem);
    return;
  }
  const { errorCode, problem } = interruptionOf(failureFacts(err));
  await recordSync(deps.pool, { ...logged, outcome: 'retrying', message: problem.message, intuitTid: intuitTidOf(err), errorCode }, deps.clock.now());
  // The card shows what the work waits for (and, from the job queue, when it is tried next) instead of "running".
  await waitForRetry(deps.pool, action.id, problem);
}

/** QuickBooks' transaction id and the error code of a failed call, for the sync log. */
function qboFacts(err: unknown): { intuitTid: string | null; errorCode: string | null } {
  return { intuitTid: intuitTidOf(err), errorCode: interruptionOf(failureFacts(err)).errorCode };
}

function intuitTidOf(err: unknown): string | null {
  return err instanceof QuickbooksApiError ? (err.intuitTid ?? null) : null;
}

/** What interruptionOf needs to know about a failure, whichever service it came from. */
function failureFacts(err: unknown): FailureFacts {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof QuickbooksApiError) return { service: 'quickbooks', status: err.status, code: err.code, message };
  if (err instanceof HubSpotApiError) return { service: 'hubspot', status: err.status, message };
  return { service: null, status: undefined, message };
}

/**
 * Runs the action a job names, if it is still open. `lastAttempt`: the job has no retry left, so a failure that may
 * pass is given up on (a job waiting for a person is parked instead and spends no attempt).
 */
export async function runQueuedAction(deps: QuoteToCashDeps, ref: { portalId: number; actionId: number }, options: { lastAttempt: boolean }): Promise<ActionOutcome | { skipped: string }> {
  const queued = await getAction(deps.pool, ref.portalId, ref.actionId);
  if (!queued) return { skipped: 'action not found' };
  // A deletion or merge of the deal that has arrived is applied first: it may stop this work or move it.
  await applyLifecycleEvents(deps, queued.portalId, queued.dealId);
  const action = await getAction(deps.pool, ref.portalId, ref.actionId);
  if (!action) return { skipped: 'action not found' };
  if (action.status !== 'queued' && action.status !== 'running') return { skipped: `action already ${action.status}` };
  try {
    return await runAction(deps, action, options);
  } catch (err) {
    if (options.lastAttempt && !(err instanceof JobMustWaitError)) await giveUp(deps, action, err);
    throw err;
  } finally {
    await followMerge(deps, action);
  }
}

/**
 * Work on a deal can be running while HubSpot merges it away: what that work leaves under the merged deal's id (a
 * link, a document) is moved to the survivor as soon as it ends, as the merge itself moved everything before it.
 */
async function followMerge(deps: QuoteToCashDeps, action: DealAction): Promise<void> {
  const lifecycle = await readLifecycle(deps.pool, action.portalId, action.dealId);
  if (lifecycle?.state !== 'merged') return;
  await mergeDeals(deps, action.portalId, await survivorOf(deps.pool, action.portalId, action.dealId), [action.dealId], lifecycle.changedAt);
}

/** Marks an action failed for good (its job ran out of retries), saying why in the sync log and on the card. */
export async function giveUp(deps: QuoteToCashDeps, action: DealAction, err: unknown): Promise<void> {
  const reason = sentence(err instanceof Error ? err.message : String(err));
  const problem: Problem = { code: 'qbo_rejected', message: `${reason} DealBooks stopped retrying; use Retry in the sync log once the cause is fixed.` };
  await finishAction(deps.pool, action.id, { status: 'failed', problems: [problem] }, deps.clock.now());
  await recordSync(
    deps.pool,
    { portalId: action.portalId, action: action.kind, outcome: 'failed', message: problem.message, dealId: action.dealId, dealActionId: action.id, ...qboFacts(err) },
    deps.clock.now(),
  );
  await safeWriteBack(deps, action.portalId, action.dealId, problem.message);
}

function carryOut(deps: QuoteToCashDeps, action: DealAction, log: Logger): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'invoice':
    case 'estimate':
      return createDocument(deps, action, action.kind, log);
    case 'convert':
      return convertEstimate(deps, action, log);
    case 'send':
      return sendInvoice(deps, action);
    default:
      return Promise.resolve({ status: 'failed', problems: [{ code: 'qbo_rejected', message: `Unknown action ${action.kind}.` }] });
  }
}
