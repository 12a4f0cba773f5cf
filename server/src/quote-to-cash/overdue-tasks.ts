import { installedPortals } from '../db/deal-backstop';
import {
  invoiceState,
  markOverdueTaskCompleted,
  overdueCandidates,
  recordOverdueTaskCreated,
  reserveOverdueTask,
  unfinishedOverdueTasks,
  type OverdueTaskKey,
  type OverdueTaskRow,
} from '../db/overdue-tasks';
import { readSettings } from '../db/portal-settings';
import { ConnectionBlockedError } from '../errors';
import { isRefusedOwner } from '../hubspot/deal-tasks';
import type { Logger } from '../logger';
import { companyDate } from '../sync/format';
import {
  daysOverdue,
  invoiceName,
  isSettled,
  overdueTaskBody,
  overdueTaskMarker,
  overdueTaskSubject,
  taskDueAt,
  taskPriority,
  thresholdToAct,
  type OverdueInvoice,
} from '../sync/overdue';
import type { QuoteToCashDeps } from './deps';

/**
 * Overdue follow-up: when an invoice DealBooks made for a deal is overdue, the deal's owner gets a task in HubSpot, one
 * per invoice and threshold (settings.overdueTasks, days overdue in the QBO company's own calendar), and DealBooks
 * completes its tasks once the invoice is paid, voided or deleted.
 *
 * Exactly once, although HubSpot takes no idempotency key for a task:
 * 1. The row (invoice, threshold) is reserved as 'pending' and committed before HubSpot is asked. A second run finds
 *    the row and never asks again.
 * 2. The task's body carries a marker unique to the row (sync/overdue.ts overdueTaskMarker). The id HubSpot answers
 *    is stored and the row opens.
 * 3. A row still 'pending' at the next sweep means the answer was lost (a crash, a timeout): the sweep reads the
 *    deal's tasks and looks for the marker. Found: its id is stored. Not found: the task never came to exist and is
 *    created now (or, when the invoice was settled meanwhile, the feature turned off, or a higher threshold is now
 *    reached, the reservation is closed without a task). One case is left: a person deleting the task in the moment
 *    between its creation and that lookup; then a second task appears, which is the lesser harm than none.
 * Only the sweep creates tasks and resolves reservations, and it runs serially per account (jobs/overdue-jobs.ts),
 * so two runs never look for the same marker at once. settleOverdueTasks only completes tasks whose id is known.
 */

export type OverdueSweepDecision = 'not installed' | 'not connected' | 'swept';

export interface OverdueSweepOutcome {
  decision: OverdueSweepDecision;
  /** The QBO company's date the days overdue were counted to. */
  today?: string;
  /** Tasks created, tasks of lost answers found again by their marker, tasks completed, invoices that failed. */
  created: number;
  found: number;
  completed: number;
  failed: number;
}

export interface SettleOutcome {
  completed: number;
  /** Tasks HubSpot could not complete just now (the next sweep tries again). */
  failed: number;
}

/** The accounts the daily sweep looks at: every installed account (the sweep skips those without QuickBooks). */
export async function overdueSweepAccounts(deps: Pick<QuoteToCashDeps, 'pool'>): Promise<number[]> {
  return (await installedPortals(deps.pool)).map((p) => p.portalId);
}

interface Sweep {
  deps: QuoteToCashDeps;
  log: Logger;
  portalId: number;
  today: string;
  utcOffsetMinutes: number | null;
  thresholds: readonly number[];
  /** New tasks may be made: the feature is on and QuickBooks is connected. */
  mayCreate: boolean;
  enabled: boolean;
  outcome: OverdueSweepOutcome;
}

/**
 * One account's sweep: completes the tasks of settled invoices, resolves reservations whose answer was lost, and
 * creates the tasks of invoices that reached a threshold. Running it again creates nothing new. A failure on one
 * invoice does not stop the others; the sweep then throws at the end so its job is retried (which is safe: every
 * step is idempotent). An uninstalled HubSpot account stops it at once (the job waits for a reinstall).
 */
export async function sweepOverdueInvoices(deps: QuoteToCashDeps, portalId: number): Promise<OverdueSweepOutcome> {
  const outcome: OverdueSweepOutcome = { decision: 'swept', created: 0, found: 0, completed: 0, failed: 0 };
  const install = await deps.installs.get(portalId);
  if (!install || install.status !== 'installed') return { ...outcome, decision: 'not installed' };
  const connection = await deps.connections.live(portalId);
  if (!connection) return { ...outcome, decision: 'not connected' };
  const { settings } = await readSettings(deps.pool, portalId);
  const today = companyDate(deps.clock.now(), connection.utcOffsetMinutes);
  const sweep: Sweep = {
    deps,
    log: deps.logger.child({ component: 'overdue-tasks', portalId }),
    portalId,
    today,
    utcOffsetMinutes: connection.utcOffsetMinutes,
    thresholds: settings.overdueTasks.thresholds,
    enabled: settings.overdueTasks.enabled,
    // With QuickBooks needing a reconnect, payments stop flowing back: a paid invoice would look overdue. Tasks already
    // made are still completed from what DealBooks knows.
    mayCreate: settings.overdueTasks.enabled && connection.status === 'connected',
    outcome: { ...outcome, today },
  };
  const failures: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (err instanceof ConnectionBlockedError) throw err;
      sweep.outcome.failed += 1;
      failures.push(`${what}: ${(err as Error).message}`);
      sweep.log.warn({ err }, `overdue follow-up failed for ${what}; the sweep is tried again`);
    }
  };

  // Rows already there first: their tasks count as existing when the new ones are chosen.
  for (const row of await unfinishedOverdueTasks(deps.pool, portalId, connection.id)) {
    const what = `${row.invoice ? invoiceName(row.invoice) : `Invoice (QuickBooks id ${row.invoiceId})`}, ${row.thresholdDays}-day task`;
    if (row.status === 'pending') await attempt(what, () => resolveReservation(sweep, row));
    else if (isSettled(row.invoice)) await attempt(what, () => completeRowTask(sweep, row));
  }

  if (sweep.mayCreate) {
    for (const candidate of await overdueCandidates(deps.pool, portalId, connection.id, today)) {
      const days = daysOverdue(candidate.dueDate, today);
      const threshold = thresholdToAct(sweep.thresholds, days, candidate.highestThresholdWithTask);
      if (threshold === null) continue;
      await attempt(`${invoiceName(candidate)}, ${threshold}-day task`, async () => {
        const owner = await deps.deals.tasks.dealOwner(portalId, candidate.dealId);
        if (!owner) {
          sweep.log.info({ dealId: candidate.dealId, invoiceId: candidate.invoiceId }, 'the deal of an overdue invoice is gone from HubSpot; no task');
          return;
        }
        const key = { connectionId: candidate.connectionId, invoiceId: candidate.invoiceId, thresholdDays: threshold };
        if (!(await reserveOverdueTask(deps.pool, { ...key, portalId, dealId: candidate.dealId }, deps.clock.now()))) return;
        await createTask(sweep, key, candidate.dealId, candidate, owner.ownerId);
      });
    }
  }

  sweep.log.info({ ...sweep.outcome }, 'overdue follow-up swept');
  if (failures.length > 0) throw new Error(`Overdue follow-up of account ${portalId} failed for ${failures.length} invoice(s): ${failures.join('; ')}`);
  return sweep.outcome;
}

/** A reservation whose answer was lost: find its task by the marker, else create it now or close it. */
async function resolveReservation(sweep: Sweep, row: OverdueTaskRow): Promise<void> {
  const { deps, portalId } = sweep;
  const found = await deps.deals.tasks.findDealTaskByText(portalId, row.dealId, overdueTaskMarker(row));
  if (found) {
    sweep.outcome.found += 1;
    const status = await recordOverdueTaskCreated(deps.pool, row, found.id);
    sweep.log.info({ dealId: row.dealId, invoiceId: row.invoiceId, taskId: found.id }, 'found the overdue task of a lost answer by its marker');
    if (status === 'completed' || isSettled(row.invoice)) await completeRowTask(sweep, { ...row, hubspotTaskId: found.id });
    return;
  }
  const invoice = row.invoice;
  // Nothing to create any more: the invoice was settled, the feature turned off, or the invoice has since reached a
  // higher threshold (which gets the one task instead).
  const stale =
    isSettled(invoice) || !sweep.enabled || (invoice !== null && (thresholdToAct(sweep.thresholds, daysOverdue(invoice.dueDate, sweep.today), null) ?? 0) > row.thresholdDays);
  if (stale) {
    await markOverdueTaskCompleted(deps.pool, row, deps.clock.now());
    return;
  }
  if (!sweep.mayCreate || invoice === null || invoice.balanceCents === null) return;
  const owner = await deps.deals.tasks.dealOwner(portalId, row.dealId);
  if (!owner) {
    await markOverdueTaskCompleted(deps.pool, row, deps.clock.now());
    return;
  }
  await createTask(sweep, row, row.dealId, { ...invoice, balanceCents: invoice.balanceCents }, owner.ownerId);
}

/**
 * Creates the task of a reserved row for the deal's owner (unassigned when the deal has none, or HubSpot refuses the
 * owner, e.g. a deactivated user) and stores its id. If the invoice was settled while the task was being made, it is
 * completed at once.
 */
async function createTask(sweep: Sweep, key: OverdueTaskKey, dealId: string, invoice: OverdueInvoice, ownerId: string | null): Promise<void> {
  const { deps, portalId } = sweep;
  const days = daysOverdue(invoice.dueDate, sweep.today);
  const task = (owner: string | null, unassignedBecause?: string) => ({
    dealId,
    subject: overdueTaskSubject(invoice, days),
    body: overdueTaskBody(invoice, { days, thresholdDays: key.thresholdDays, ...(unassignedBecause ? { unassignedBecause } : {}) }),
    dueAt: taskDueAt(sweep.today, sweep.utcOffsetMinutes),
    priority: taskPriority(sweep.thresholds, key.thresholdDays),
    ownerId: owner,
  });
  let created: { id: string };
  if (ownerId === null) {
    created = await deps.deals.tasks.createTask(portalId, task(null, 'Nobody owns this deal in HubSpot, so this task is unassigned: assign it to whoever follows up.'));
  } else {
    try {
      created = await deps.deals.tasks.createTask(portalId, task(ownerId));
    } catch (err) {
      if (!isRefusedOwner(err)) throw err;
      sweep.log.warn({ dealId, ownerId }, 'HubSpot refused the deal owner for a task; created it unassigned');
      created = await deps.deals.tasks.createTask(
        portalId,
        task(null, `HubSpot would not assign this task to the deal owner (owner ${ownerId}, perhaps deactivated), so it is unassigned: assign it to whoever follows up.`),
      );
    }
  }
  sweep.outcome.created += 1;
  sweep.log.info({ dealId, invoiceId: key.invoiceId, thresholdDays: key.thresholdDays, taskId: created.id, days }, 'overdue task created');
  const status = await recordOverdueTaskCreated(deps.pool, key, created.id);
  if (status === 'completed' || isSettled(await invoiceState(deps.pool, key.connectionId, key.invoiceId))) {
    await completeRowTask(sweep, { ...key, hubspotTaskId: created.id });
  }
}

async function completeRowTask(sweep: Pick<Sweep, 'deps' | 'log' | 'portalId' | 'outcome'>, row: OverdueTaskKey & { hubspotTaskId: string | null }): Promise<void> {
  if (row.hubspotTaskId !== null) {
    const result = await sweep.deps.deals.tasks.completeTask(sweep.portalId, row.hubspotTaskId);
    if (result === 'gone') sweep.log.info({ taskId: row.hubspotTaskId, invoiceId: row.invoiceId }, 'the overdue task was deleted in HubSpot; nothing to complete');
    sweep.outcome.completed += 1;
  }
  await markOverdueTaskCompleted(sweep.deps.pool, row, sweep.deps.clock.now());
}

/**
 * Completes DealBooks' open tasks of these invoices when they are settled (paid, voided or deleted in QuickBooks):
 * what the money-back pipeline calls after it changed DealBooks' copies. Never throws for HubSpot's trouble: a task
 * that cannot be completed now is counted as failed and completed by the next sweep. A task a person already
 * completed is completed again (no change); one a person deleted is simply done. Reservations whose task id is not
 * known yet are left to the sweep, which alone may resolve them.
 */
export async function settleOverdueTasks(deps: QuoteToCashDeps, portalId: number, connectionId: number, invoiceIds: readonly string[]): Promise<SettleOutcome> {
  if (invoiceIds.length === 0) return { completed: 0, failed: 0 };
  const log = deps.logger.child({ component: 'overdue-tasks', portalId });
  const state = { deps, log, portalId, outcome: { decision: 'swept' as const, created: 0, found: 0, completed: 0, failed: 0 } };
  const rows = await unfinishedOverdueTasks(deps.pool, portalId, connectionId, invoiceIds);
  for (const row of rows) {
    if (row.status !== 'open' || !isSettled(row.invoice)) continue;
    try {
      await completeRowTask(state, row);
    } catch (err) {
      state.outcome.failed += 1;
      log.warn({ err, invoiceId: row.invoiceId, taskId: row.hubspotTaskId }, 'an overdue task could not be completed; the next sweep tries again');
    }
  }
  return { completed: state.outcome.completed, failed: state.outcome.failed };
}
