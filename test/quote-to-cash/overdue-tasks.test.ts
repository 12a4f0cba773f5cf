import { overdueTasksOfInvoice } from '../../server/src/db/overdue-tasks';
import { documentsByIds, markDocumentDeleted, saveDocument } from '../../server/src/db/qbo-documents';
import { OVERDUE_ACCOUNT_QUEUE, OVERDUE_QUEUE, describeOverdueRun, runOverdueSweepNow, type OverdueRunResult } from '../../server/src/jobs/overdue-jobs';
import { settleOverdueTasks, sweepOverdueInvoices } from '../../server/src/quote-to-cash/overdue-tasks';
import { companyDate } from '../../server/src/sync/format';
import { taskDueAt } from '../../server/src/sync/overdue';
import { DATABASE_KIND } from '../support/harness';
import { clearFaults, fault } from './support-once';
import { checkChanges, copyOf, hearFromQbo, invoicedDeal, pay, qboObject, quietly, voidInvoice } from './support-money';
import { hubspotRecord, makeDeal, otherAccount, useQ2C, type Q2C } from './support';

/**
 * Overdue follow-up: tasks in HubSpot for the owner of a deal whose invoice is overdue, one per invoice and threshold,
 * completed when the invoice is paid, voided or deleted. Invoices are stored in DealBooks' copy (qbo_documents) the way
 * the money-back pipeline stores them; the tasks are what HubSpot (the simulator, over HTTP) holds. Time moves by the
 * shared clock, one day at a time.
 */

const DAY = 86_400_000;
const ADA = '75000001';
const GRACE = '75000002';

let made = 0;
let nextInvoiceId = 9000;

interface Seeded {
  dealId: string;
  invoiceId: string;
  connectionId: number;
}

async function connectionOf(q: Q2C): Promise<{ id: number; utcOffsetMinutes: number | null }> {
  const connection = await q.world.ctx.quickbooks.connections.live(q.portalId);
  if (!connection) throw new Error('the account has no QuickBooks connection');
  return connection;
}

/** The QBO company's date now, as DealBooks counts days overdue. */
async function companyToday(q: Q2C): Promise<string> {
  return companyDate(q.world.dealbooksClock.now(), (await connectionOf(q)).utcOffsetMinutes);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** A deal (owned by `owner`, none when null) and its invoice due `dueInDays` from the company's today (negative: past). */
async function dealWithInvoice(q: Q2C, input: { dueInDays: number; owner?: string | null; docNumber?: string | null; totalCents?: number; balanceCents?: number }): Promise<Seeded> {
  made += 1;
  const owner = input.owner === undefined ? ADA : input.owner;
  const { dealId } = await makeDeal(q, { name: `Overdue ${made}`, company: `Overdue Co ${made}`, lines: [], properties: owner === null ? {} : { hubspot_owner_id: owner } });
  const invoiceId = String(nextInvoiceId++);
  const due = addDays(await companyToday(q), input.dueInDays);
  const totalCents = input.totalCents ?? 165150;
  await storeInvoice(q, { dealId, invoiceId, due, docNumber: input.docNumber === undefined ? '1042' : input.docNumber, totalCents, balanceCents: input.balanceCents ?? 115150 });
  return { dealId, invoiceId, connectionId: (await connectionOf(q)).id };
}

/** DealBooks' copy of the invoice, written as the money-back pipeline writes it. */
async function storeInvoice(q: Q2C, input: { dealId: string; invoiceId: string; due: string; docNumber: string | null; totalCents: number; balanceCents: number }): Promise<void> {
  const connection = await connectionOf(q);
  await saveDocument(
    q.world.ctx.pool,
    {
      portalId: q.portalId,
      connectionId: connection.id,
      dealId: input.dealId,
      document: {
        kind: 'invoice',
        id: input.invoiceId,
        docNumber: input.docNumber,
        customerId: '58',
        txnDate: addDays(input.due, -30),
        dueDate: input.due,
        expirationDate: null,
        currency: 'USD',
        totalCents: input.totalCents,
        balanceCents: input.balanceCents,
        taxCents: 0,
        txnStatus: null,
        emailStatus: 'NotSet',
        privateNote: null,
        syncToken: '0',
        linked: [],
        billEmail: null,
        webUrl: `https://app.sandbox.qbo.intuit.com/app/invoice?txnId=${input.invoiceId}`,
      },
    },
    q.world.dealbooksClock.now(),
  );
}

/** The copy as the money-back pipeline leaves it after QuickBooks changed: a payment (balance), a void or a deletion. */
async function changeInvoice(q: Q2C, seeded: Seeded, change: { balanceCents?: number; totalCents?: number; qboState?: 'voided' | 'deleted' }): Promise<void> {
  const { pool } = q.world.ctx;
  const now = q.world.dealbooksClock.now();
  if (change.qboState === 'deleted') {
    await markDocumentDeleted(pool, seeded.connectionId, 'invoice', seeded.invoiceId, { deletedAt: now }, now);
    return;
  }
  const [copy] = await documentsByIds(pool, seeded.connectionId, 'invoice', [seeded.invoiceId]);
  const document = { ...copy!, balanceCents: change.balanceCents ?? copy!.balanceCents, totalCents: change.totalCents ?? copy!.totalCents };
  await saveDocument(pool, { portalId: q.portalId, connectionId: seeded.connectionId, dealId: copy!.dealId, document, state: change.qboState ?? 'active' }, now);
}

/** The deal's tasks as HubSpot holds them now (deleted ones are gone), oldest first. */
async function tasksOf(q: Q2C, dealId: string): Promise<any[]> {
  const deal = await hubspotRecord(q, 'deals', dealId);
  const ids: string[] = (deal.associations?.tasks?.results ?? []).map((r: any) => String(r.id));
  const tasks = await Promise.all([...new Set(ids)].map((id) => hubspotRecord(q, 'tasks', id)));
  return tasks.sort((a, b) => Number(a.id) - Number(b.id));
}

async function rowsOf(q: Q2C, seeded: Seeded) {
  return overdueTasksOfInvoice(q.world.ctx.pool, seeded.connectionId, seeded.invoiceId);
}

/** The account's sweep, on demand through its queue (what `npm run jobs -- overdue` runs). */
async function sweep(q: Q2C): Promise<OverdueRunResult> {
  return runOverdueSweepNow(q.world.ctx, q.portalId);
}

async function sweptOk(q: Q2C) {
  const result = await sweep(q);
  if (result.status !== 'completed') throw new Error(`the sweep ended ${result.status}: ${result.message}`);
  return result.outcome;
}

/** The daily schedule as the queue runs it: the fan-out job, then every account's job. */
async function dailyRun(q: Q2C): Promise<void> {
  const { jobs } = q.world.ctx;
  await jobs.send(OVERDUE_QUEUE, {});
  expect(await jobs.runNext(OVERDUE_QUEUE)).toBe('completed');
  for (let i = 0; i < 10 && (await jobs.runNext(OVERDUE_ACCOUNT_QUEUE)) !== 'idle'; i++);
}

async function deleteInHubSpot(q: Q2C, type: string, id: string): Promise<void> {
  const response = await fetch(`${q.world.sandbox.hubspot.url}/_sim/hubspot/accounts/${q.portalId}/objects/${type}/${id}`, { method: 'DELETE' });
  if (response.status !== 204) throw new Error(`DELETE ${type} ${id} answered ${response.status}`);
}

describe(`Overdue follow-up: tasks for the deal owner (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { overdueTasks: { enabled: true, thresholds: [1, 15, 30] } } });
  // Each test starts from no invoices and no task rows, so the clock a test moves cannot bring another test's invoice to
  // a threshold, and the counts a sweep reports are the test's own.
  afterEach(async () => {
    await clearFaults(q, 'hubspot');
    await q.world.ctx.pool.query('DELETE FROM overdue_tasks WHERE portal_id = $1', [q.portalId]);
    await q.world.ctx.pool.query('DELETE FROM qbo_documents WHERE portal_id = $1', [q.portalId]);
  });

  it('When the service starts, then the overdue sweep is scheduled once a day at 12:00 UTC', async () => {
    const schedules = await q.world.ctx.jobs.boss.getSchedules();
    expect(schedules).toEqual(expect.arrayContaining([expect.objectContaining({ name: OVERDUE_QUEUE, cron: '0 12 * * *', options: expect.objectContaining({ tz: 'UTC' }) })]));
  });

  it('When the daily sweep runs twice over an invoice 15 days overdue, then the deal owner gets one task for the deal, due today, with the open amount in its subject', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -15 });
    await dailyRun(q);
    await dailyRun(q);

    const tasks = await tasksOf(q, seeded.dealId);
    expect(tasks).toHaveLength(1);
    const [task] = tasks;
    const today = await companyToday(q);
    expect(task.properties).toMatchObject({
      hs_task_subject: 'Invoice 1042 is 15 days overdue: $1,151.50 open',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'MEDIUM',
      hs_task_type: 'TODO',
      hubspot_owner_id: ADA,
      hs_timestamp: taskDueAt(today, (await connectionOf(q)).utcOffsetMinutes).toISOString(),
    });
    expect(task.properties.hs_task_body).toContain(`$1,151.50 of $1,651.50 is still open.`);
    expect(task.properties.hs_task_body).toContain(`DealBooks ref overdue:${seeded.connectionId}:${seeded.invoiceId}:15`);
    expect(task.associations.deals.results).toEqual([expect.objectContaining({ id: seeded.dealId, type: 'task_to_deal' })]);
    // One task for the highest threshold reached: the 1-day step was passed over, not made late.
    expect(await rowsOf(q, seeded)).toEqual([expect.objectContaining({ thresholdDays: 15, status: 'open', hubspotTaskId: task.id })]);
  });

  it('When the days pass, then tasks come on the days the invoice is 1, 15 and 30 days overdue, one each, and none on the days between', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: 0 });
    const seen: Array<[number, string[]]> = [];
    let day = 0;
    for (const next of [0, 1, 2, 14, 15, 16, 29, 30, 31, 45]) {
      await q.world.clock.advance((next - day) * DAY);
      day = next;
      await sweptOk(q);
      seen.push([day, (await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_subject)]);
    }
    const one = 'Invoice 1042 is 1 day overdue: $1,151.50 open';
    const fifteen = 'Invoice 1042 is 15 days overdue: $1,151.50 open';
    const thirty = 'Invoice 1042 is 30 days overdue: $1,151.50 open';
    expect(seen).toEqual([
      [0, []],
      [1, [one]],
      [2, [one]],
      [14, [one]],
      [15, [one, fifteen]],
      [16, [one, fifteen]],
      [29, [one, fifteen]],
      [30, [one, fifteen, thirty]],
      [31, [one, fifteen, thirty]],
      [45, [one, fifteen, thirty]],
    ]);
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_priority)).toEqual(['LOW', 'MEDIUM', 'HIGH']);
    expect((await rowsOf(q, seeded)).map((r) => [r.thresholdDays, r.status])).toEqual([[1, 'open'], [15, 'open'], [30, 'open']]);
  });

  it('When an invoice is first seen 40 days overdue, then its owner gets one task, not one per threshold passed', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -40 });
    expect(await sweptOk(q)).toMatchObject({ created: 1 });
    expect(await sweptOk(q)).toMatchObject({ created: 0 });
    expect((await tasksOf(q, seeded.dealId)).map((t) => [t.properties.hs_task_subject, t.properties.hs_task_priority])).toEqual([
      ['Invoice 1042 is 40 days overdue: $1,151.50 open', 'HIGH'],
    ]);
    expect((await rowsOf(q, seeded)).map((r) => r.thresholdDays)).toEqual([30]);
  });

  it('When an invoice is not yet due, due today, paid or of no deal, then no task is made', async () => {
    const future = await dealWithInvoice(q, { dueInDays: 3 });
    const today = await dealWithInvoice(q, { dueInDays: 0 });
    const paid = await dealWithInvoice(q, { dueInDays: -20, balanceCents: 0 });
    const noDeal = await dealWithInvoice(q, { dueInDays: -20 });
    await q.world.ctx.pool.query(`UPDATE qbo_documents SET deal_id = NULL WHERE connection_id = $1 AND qbo_id = $2`, [noDeal.connectionId, noDeal.invoiceId]);
    await sweptOk(q);
    for (const seeded of [future, today, paid, noDeal]) {
      expect(await tasksOf(q, seeded.dealId)).toEqual([]);
      expect(await rowsOf(q, seeded)).toEqual([]);
    }
  });

  it('When the invoice is paid, then the pipeline\'s call completes every open task of it at once, and no more come', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await sweptOk(q);
    await storeInvoice(q, { dealId: seeded.dealId, invoiceId: seeded.invoiceId, due: addDays(await companyToday(q), -15), docNumber: '1042', totalCents: 165150, balanceCents: 115150 });
    await sweptOk(q);
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['NOT_STARTED', 'NOT_STARTED']);

    await changeInvoice(q, seeded, { balanceCents: 0 });
    expect(await settleOverdueTasks(q.world.ctx.quoteToCash, q.portalId, seeded.connectionId, [seeded.invoiceId])).toEqual({ completed: 2, failed: 0 });
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect((await rowsOf(q, seeded)).map((r) => r.status)).toEqual(['completed', 'completed']);

    // Later: still paid, 30 days past its due date: nothing new, nothing to complete again.
    await storeInvoice(q, { dealId: seeded.dealId, invoiceId: seeded.invoiceId, due: addDays(await companyToday(q), -30), docNumber: '1042', totalCents: 165150, balanceCents: 0 });
    expect(await sweptOk(q)).toMatchObject({ created: 0 });
    expect(await settleOverdueTasks(q.world.ctx.quoteToCash, q.portalId, seeded.connectionId, [seeded.invoiceId])).toEqual({ completed: 0, failed: 0 });
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(2);
  });

  it('When a payment leaves part of the invoice open, then its task stays open', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -2 });
    await sweptOk(q);
    await changeInvoice(q, seeded, { balanceCents: 100 });
    expect(await settleOverdueTasks(q.world.ctx.quoteToCash, q.portalId, seeded.connectionId, [seeded.invoiceId])).toEqual({ completed: 0, failed: 0 });
    await sweptOk(q);
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['NOT_STARTED']);
  });

  it('When the pipeline never called after a void and a deletion in QuickBooks, then the next sweep completes their tasks', async () => {
    const voided = await dealWithInvoice(q, { dueInDays: -5 });
    const deleted = await dealWithInvoice(q, { dueInDays: -5 });
    const open = await dealWithInvoice(q, { dueInDays: -5 });
    await sweptOk(q);
    // QuickBooks zeroes a voided invoice's amounts; a deleted one keeps what it had, only its state says it is gone.
    await changeInvoice(q, voided, { balanceCents: 0, totalCents: 0, qboState: 'voided' });
    await changeInvoice(q, deleted, { qboState: 'deleted' });

    expect(await sweptOk(q)).toMatchObject({ created: 0, completed: 2 });
    expect((await tasksOf(q, voided.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    expect((await tasksOf(q, deleted.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    expect((await tasksOf(q, open.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['NOT_STARTED']);
  });

  it('When a person already completed one task and deleted another in HubSpot, then nothing is made again and settling them fails on nothing', async () => {
    const completedByHand = await dealWithInvoice(q, { dueInDays: -3 });
    const deletedByHand = await dealWithInvoice(q, { dueInDays: -3 });
    await sweptOk(q);
    const [done] = await tasksOf(q, completedByHand.dealId);
    const [gone] = await tasksOf(q, deletedByHand.dealId);
    await q.edit('tasks', done.id, { hs_task_status: 'COMPLETED' });
    await deleteInHubSpot(q, 'tasks', gone.id);

    // Still overdue: the people dealt with these steps, so the sweep leaves them alone.
    expect(await sweptOk(q)).toMatchObject({ created: 0, failed: 0 });

    await changeInvoice(q, completedByHand, { balanceCents: 0 });
    await changeInvoice(q, deletedByHand, { balanceCents: 0 });
    const settled = await settleOverdueTasks(q.world.ctx.quoteToCash, q.portalId, completedByHand.connectionId, [completedByHand.invoiceId, deletedByHand.invoiceId]);
    expect(settled).toEqual({ completed: 2, failed: 0 });
    expect((await tasksOf(q, completedByHand.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    expect(await tasksOf(q, deletedByHand.dealId)).toEqual([]);
    expect([...(await rowsOf(q, completedByHand)), ...(await rowsOf(q, deletedByHand))].map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(await sweptOk(q)).toMatchObject({ created: 0, completed: 0, failed: 0 });
  });

  it("When HubSpot's answer to the create is lost after the task was made, then the sweep fails, and the next one finds the task by its marker instead of making a second", async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await fault(q, 'hubspot', { path: '/^\\/crm\\/v3\\/objects\\/tasks$/', method: 'POST', kind: 'reset', after: true, times: 1 });
    const first = await sweep(q);
    expect(first).toMatchObject({ status: 'retrying', message: expect.stringMatching(/Invoice 1042, 1-day task: HubSpot could not be reached adding a task to deal/) });
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(1);
    expect(await rowsOf(q, seeded)).toEqual([expect.objectContaining({ status: 'pending', hubspotTaskId: null })]);

    expect(await sweptOk(q)).toMatchObject({ created: 0, found: 1 });
    expect(await sweptOk(q)).toMatchObject({ created: 0, found: 0 });
    const tasks = await tasksOf(q, seeded.dealId);
    expect(tasks).toHaveLength(1);
    expect(await rowsOf(q, seeded)).toEqual([expect.objectContaining({ status: 'open', hubspotTaskId: tasks[0].id })]);
    // The retry the queue keeps for the failed run finds nothing left to do either.
    expect(await q.world.ctx.jobs.runNext(OVERDUE_ACCOUNT_QUEUE, { ignoreStartAfter: true })).toBe('completed');
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(1);
  });

  it('When the create never reached HubSpot, then the next sweep makes the task, once', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await fault(q, 'hubspot', { path: '/^\\/crm\\/v3\\/objects\\/tasks$/', method: 'POST', kind: 'reset', times: 1 });
    expect(await sweep(q)).toMatchObject({ status: 'retrying' });
    expect(await tasksOf(q, seeded.dealId)).toEqual([]);
    expect(await sweptOk(q)).toMatchObject({ created: 1, found: 0 });
    expect(await sweptOk(q)).toMatchObject({ created: 0 });
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(1);
    await q.world.ctx.jobs.runNext(OVERDUE_ACCOUNT_QUEUE, { ignoreStartAfter: true });
  });

  it('When a lost answer is found only after the invoice was paid, then the found task is completed, not left open', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await fault(q, 'hubspot', { path: '/^\\/crm\\/v3\\/objects\\/tasks$/', method: 'POST', kind: 'reset', after: true, times: 1 });
    expect(await sweep(q)).toMatchObject({ status: 'retrying' });
    await changeInvoice(q, seeded, { balanceCents: 0 });
    // The pipeline's call cannot know the task yet: it leaves the reservation to the sweep.
    expect(await settleOverdueTasks(q.world.ctx.quoteToCash, q.portalId, seeded.connectionId, [seeded.invoiceId])).toEqual({ completed: 0, failed: 0 });
    expect(await sweptOk(q)).toMatchObject({ created: 0, found: 1, completed: 1 });
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    await q.world.ctx.jobs.runNext(OVERDUE_ACCOUNT_QUEUE, { ignoreStartAfter: true });
  });

  it('When a lost create is only looked for after the invoice reached a higher threshold, then the owner gets the one task of the higher threshold', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -14 });
    await fault(q, 'hubspot', { path: '/^\\/crm\\/v3\\/objects\\/tasks$/', method: 'POST', kind: 'reset', times: 1 });
    expect(await sweep(q)).toMatchObject({ status: 'retrying' });
    await q.world.clock.advance(DAY);
    expect(await sweptOk(q)).toMatchObject({ created: 1, found: 0 });
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_subject)).toEqual(['Invoice 1042 is 15 days overdue: $1,151.50 open']);
    expect((await rowsOf(q, seeded)).map((r) => [r.thresholdDays, r.status, r.hubspotTaskId === null])).toEqual([[1, 'completed', true], [15, 'open', false]]);
    await q.world.ctx.jobs.runNext(OVERDUE_ACCOUNT_QUEUE, { ignoreStartAfter: true });
  });

  it('When a lost create is looked for after overdue tasks were turned off, then no task is made and the reservation is closed', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await fault(q, 'hubspot', { path: '/^\\/crm\\/v3\\/objects\\/tasks$/', method: 'POST', kind: 'reset', times: 1 });
    expect(await sweep(q)).toMatchObject({ status: 'retrying' });
    await q.settings({ overdueTasks: { enabled: false, thresholds: [1, 15, 30] } });
    try {
      expect(await sweptOk(q)).toMatchObject({ created: 0 });
      expect(await tasksOf(q, seeded.dealId)).toEqual([]);
      expect(await rowsOf(q, seeded)).toEqual([expect.objectContaining({ status: 'completed', hubspotTaskId: null })]);
    } finally {
      await q.settings({ overdueTasks: { enabled: true, thresholds: [1, 15, 30] } });
    }
    await q.world.ctx.jobs.runNext(OVERDUE_ACCOUNT_QUEUE, { ignoreStartAfter: true });
  });

  it('When the invoice is paid while its task is being made, then the task is completed right after, not left open until the next sweep', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    const deps = q.world.ctx.quoteToCash;
    const create = deps.deals.tasks.createTask.bind(deps.deals.tasks);
    // The payment lands (and the pipeline calls settle) between HubSpot's answer and DealBooks storing the task's id.
    const spy = jest.spyOn(deps.deals.tasks, 'createTask').mockImplementation(async (portalId, task) => {
      const created = await create(portalId, task);
      await changeInvoice(q, seeded, { balanceCents: 0 });
      expect(await settleOverdueTasks(deps, q.portalId, seeded.connectionId, [seeded.invoiceId])).toEqual({ completed: 0, failed: 0 });
      return created;
    });
    try {
      expect(await sweptOk(q)).toMatchObject({ created: 1, completed: 1 });
    } finally {
      spy.mockRestore();
    }
    expect((await tasksOf(q, seeded.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    expect((await rowsOf(q, seeded)).map((r) => r.status)).toEqual(['completed']);
  });

  it('When QuickBooks needs a reconnect, then no new task is made (a payment may not have come back), but settled invoices still complete theirs', async () => {
    const waiting = await dealWithInvoice(q, { dueInDays: -1 });
    const before = await dealWithInvoice(q, { dueInDays: -1 });
    await q.world.ctx.pool.query(`UPDATE qbo_documents SET due_date = due_date + 1 WHERE connection_id = $1 AND qbo_id = $2`, [waiting.connectionId, waiting.invoiceId]);
    await sweptOk(q);
    await q.world.ctx.pool.query(`UPDATE qbo_documents SET due_date = due_date - 1 WHERE connection_id = $1 AND qbo_id = $2`, [waiting.connectionId, waiting.invoiceId]);
    await changeInvoice(q, before, { balanceCents: 0 });
    await q.world.ctx.pool.query(`UPDATE qbo_connections SET status = 'needs_reconnect' WHERE id = $1`, [waiting.connectionId]);
    try {
      expect(await sweptOk(q)).toMatchObject({ created: 0, completed: 1 });
      expect(await tasksOf(q, waiting.dealId)).toEqual([]);
      expect((await tasksOf(q, before.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    } finally {
      await q.world.ctx.pool.query(`UPDATE qbo_connections SET status = 'connected' WHERE id = $1`, [waiting.connectionId]);
    }
    expect(await sweptOk(q)).toMatchObject({ created: 1 });
    expect(await tasksOf(q, waiting.dealId)).toHaveLength(1);
  });

  /** Holds the first sweep that reads a deal owner until `release`, so a second sweep can be started beside it. */
  function holdFirstSweep() {
    const tasks = q.world.ctx.quoteToCash.deals.tasks;
    const dealOwner = tasks.dealOwner.bind(tasks);
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let calls = 0;
    const spy = jest.spyOn(tasks, 'dealOwner').mockImplementation(async (portalId, dealId) => {
      if (calls++ === 0) {
        entered();
        await gate;
      }
      return dealOwner(portalId, dealId);
    });
    return { inside, release: () => release(), restore: () => spy.mockRestore() };
  }

  it('When two sweeps of one account are due at once, then the second waits until the first is done', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    const { jobs } = q.world.ctx;
    await jobs.send(OVERDUE_ACCOUNT_QUEUE, { portalId: q.portalId });
    await jobs.send(OVERDUE_ACCOUNT_QUEUE, { portalId: q.portalId });
    const hold = holdFirstSweep();
    try {
      const first = jobs.runNext(OVERDUE_ACCOUNT_QUEUE);
      await hold.inside;
      expect(await jobs.runNext(OVERDUE_ACCOUNT_QUEUE)).toBe('deferred');
      hold.release();
      expect(await first).toBe('completed');
    } finally {
      hold.release();
      hold.restore();
    }
    for (let i = 0; i < 5 && (await jobs.runNext(OVERDUE_ACCOUNT_QUEUE, { ignoreStartAfter: true })) !== 'idle'; i++);
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(1);
  });

  it('When two sweeps of one account overlap all the same (a worker that outlived its lease), then the reservation lets only one of them make the task', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    const deps = q.world.ctx.quoteToCash;
    const hold = holdFirstSweep();
    try {
      const first = sweepOverdueInvoices(deps, q.portalId);
      await hold.inside;
      expect(await sweepOverdueInvoices(deps, q.portalId)).toMatchObject({ created: 1 });
      hold.release();
      expect(await first).toMatchObject({ created: 0, failed: 0 });
    } finally {
      hold.release();
      hold.restore();
    }
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(1);
  });

  it('When the deal has no owner, then the task is still made, unassigned, and says so', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1, owner: null });
    await sweptOk(q);
    const [task] = await tasksOf(q, seeded.dealId);
    expect(task.properties.hubspot_owner_id ?? null).toBeNull();
    expect(task.properties.hs_task_body).toContain('Nobody owns this deal in HubSpot, so this task is unassigned');
  });

  it("When HubSpot refuses the deal's owner for a task, then the task is made unassigned and says why", async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1, owner: GRACE });
    // HubSpot's answer for an owner it will not take (a deactivated user): a 400 naming hubspot_owner_id.
    const refusal = {
      status: 'error',
      message: `Property values were not valid: [{"isValid":false,"message":"${GRACE} was not one of the allowed options","error":"INVALID_OPTION","name":"hubspot_owner_id"}]`,
      correlationId: '4b1e6f0a-0000-4000-8000-000000000000',
      category: 'VALIDATION_ERROR',
    };
    await fault(q, 'hubspot', { path: '/^\\/crm\\/v3\\/objects\\/tasks$/', method: 'POST', status: 400, body: refusal, times: 1 });
    expect(await sweptOk(q)).toMatchObject({ created: 1, failed: 0 });
    const tasks = await tasksOf(q, seeded.dealId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].properties.hubspot_owner_id ?? null).toBeNull();
    expect(tasks[0].properties.hs_task_body).toContain(`HubSpot would not assign this task to the deal owner (owner ${GRACE}, perhaps deactivated), so it is unassigned`);
  });

  it('When the deal is gone from HubSpot, then its overdue invoice gets no task and the sweep does not fail', async () => {
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await deleteInHubSpot(q, 'deals', seeded.dealId);
    expect(await sweptOk(q)).toMatchObject({ failed: 0 });
    expect(await rowsOf(q, seeded)).toEqual([]);
  });

  it('When overdue tasks are turned off, then no task is made, and tasks made before are still completed when their invoice is paid', async () => {
    const before = await dealWithInvoice(q, { dueInDays: -1 });
    await sweptOk(q);
    await q.settings({ overdueTasks: { enabled: false, thresholds: [1, 15, 30] } });
    try {
      const later = await dealWithInvoice(q, { dueInDays: -20 });
      await storeInvoice(q, { dealId: before.dealId, invoiceId: before.invoiceId, due: addDays(await companyToday(q), -20), docNumber: '1042', totalCents: 165150, balanceCents: 115150 });
      expect(await sweptOk(q)).toMatchObject({ created: 0 });
      expect(await tasksOf(q, later.dealId)).toEqual([]);
      expect(await tasksOf(q, before.dealId)).toHaveLength(1);
      await changeInvoice(q, before, { balanceCents: 0 });
      expect(await sweptOk(q)).toMatchObject({ completed: 1 });
      expect((await tasksOf(q, before.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
    } finally {
      await q.settings({ overdueTasks: { enabled: true, thresholds: [1, 15, 30] } });
    }
  });

  it('When another account is installed without QuickBooks, then the daily run sweeps each account and reports the other as not connected', async () => {
    const other = await otherAccount(q, 62515077);
    const result = await runOverdueSweepNow(q.world.ctx, other.portalId);
    expect(result).toMatchObject({ status: 'completed', outcome: { decision: 'not connected' } });
    expect(describeOverdueRun(other.portalId, result)).toBe('Account 62515077: QuickBooks is not connected; nothing to do.');
    const seeded = await dealWithInvoice(q, { dueInDays: -1 });
    await dailyRun(q);
    expect(await tasksOf(q, seeded.dealId)).toHaveLength(1);
    expect(describeOverdueRun(404, await runOverdueSweepNow(q.world.ctx, 404))).toBe('Account 404: DealBooks is not installed there; nothing to do.');
  });
});

describe(`Overdue follow-up in the company's own date (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { overdueTasks: { enabled: true, thresholds: [1, 15, 30] } } });

  it("When UTC is a day ahead of the QBO company, then the days overdue are the company's, and the task is due at 17:00 its time", async () => {
    const connection = await connectionOf(q);
    // The demo company prints its times at UTC-08:00 (test/simulators/README.md); DealBooks learns it from QBO's answers.
    await q.world.ctx.quickbooks.connections.noteUtcOffset(connection.id, -480);
    // Move to 03:00 UTC: 19:00 of the day before in the company.
    const now = q.world.clock.nowMs();
    const nextThreeAm = Math.ceil((now - 3 * 3_600_000) / DAY) * DAY + 3 * 3_600_000;
    await q.world.clock.advance(nextThreeAm - now);
    const utcToday = new Date(q.world.clock.nowMs()).toISOString().slice(0, 10);
    const companyDay = addDays(utcToday, -1);
    expect(await companyToday(q)).toBe(companyDay);

    // Due on the company's today: 1 day overdue by UTC's date, not overdue in the company's.
    const seeded = await dealWithInvoice(q, { dueInDays: 0 });
    expect(await sweptOk(q)).toMatchObject({ today: companyDay, created: 0 });
    expect(await tasksOf(q, seeded.dealId)).toEqual([]);

    // 05:00 the next morning in the company (13:00 UTC): 1 day overdue.
    await q.world.clock.advance(10 * 3_600_000);
    expect(await sweptOk(q)).toMatchObject({ today: utcToday, created: 1 });
    const [task] = await tasksOf(q, seeded.dealId);
    expect(task.properties.hs_task_subject).toBe('Invoice 1042 is 1 day overdue: $1,151.50 open');
    expect(task.properties.hs_timestamp).toBe(`${addDays(utcToday, 1)}T01:00:00.000Z`);
  });
});

describe(`Settings: overdue tasks through the settings API (${DATABASE_KIND})`, () => {
  const q = useQ2C();

  it('When finance reads the settings, then overdue tasks are off with thresholds 1, 15 and 30, and a PATCH of one key keeps the other', async () => {
    const read = await q.card('GET', '/api/settings');
    expect(read.body.settings.overdueTasks).toEqual({ enabled: false, thresholds: [1, 15, 30] });
    expect(read.body.defaults.overdueTasks).toEqual({ enabled: false, thresholds: [1, 15, 30] });

    const on = await q.card('PATCH', '/api/settings', { settings: { overdueTasks: { enabled: true } }, version: read.body.version });
    expect(on.status).toBe(200);
    expect(on.body.settings.overdueTasks).toEqual({ enabled: true, thresholds: [1, 15, 30] });
    const steps = await q.card('PATCH', '/api/settings', { settings: { overdueTasks: { thresholds: [45, 7] } }, version: on.body.version });
    expect(steps.status).toBe(200);
    expect(steps.body.settings.overdueTasks).toEqual({ enabled: true, thresholds: [7, 45] });
    expect((await q.card('GET', '/api/settings')).body.settings.overdueTasks).toEqual({ enabled: true, thresholds: [7, 45] });
  });

  it('When a PUT sends the whole document, then overdueTasks is replaced; without it or its thresholds, the PUT is refused naming what is missing', async () => {
    const { body: current } = await q.card('GET', '/api/settings');
    const put = await q.card('PUT', '/api/settings', { settings: { ...current.settings, overdueTasks: { enabled: false, thresholds: [3] } }, version: current.version });
    expect(put.status).toBe(200);
    expect(put.body.settings.overdueTasks).toEqual({ enabled: false, thresholds: [3] });

    const { overdueTasks: _left, ...without } = put.body.settings;
    const lacking = await q.card('PUT', '/api/settings', { settings: without, version: put.body.version });
    expect(lacking.status).toBe(422);
    expect(lacking.body.error.details.fields).toEqual({ overdueTasks: expect.stringMatching(/^missing/) });
    const half = await q.card('PUT', '/api/settings', { settings: { ...without, overdueTasks: { enabled: true } }, version: put.body.version });
    expect(half.status).toBe(422);
    expect(half.body.error.details.fields).toEqual({ 'overdueTasks.thresholds': expect.stringMatching(/^missing/) });
  });

  it('When thresholds are repeated, empty, zero or too many, then PUT and PATCH refuse them with 422 in words naming the field, and nothing is stored', async () => {
    const { body: current } = await q.card('GET', '/api/settings');
    const patch = (overdueTasks: unknown) => q.card('PATCH', '/api/settings', { settings: { overdueTasks }, version: current.version });

    const twice = await patch({ thresholds: [1, 15, 15] });
    expect(twice.status).toBe(422);
    expect(twice.body.error).toMatchObject({ code: 'validation_failed', details: { fields: { 'overdueTasks.thresholds.2': '15 days is listed twice; list each threshold once' } } });
    const none = await patch({ thresholds: [] });
    expect(none.body.error.details.fields).toEqual({ 'overdueTasks.thresholds': 'expected at least one threshold; to stop overdue tasks, set overdueTasks.enabled to false' });
    const zero = await patch({ thresholds: [0, 30] });
    expect(zero.body.error.details.fields).toEqual({ 'overdueTasks.thresholds.0': expect.stringMatching(/^expected 1 or more days overdue/) });
    const many = await q.card('PUT', '/api/settings', { settings: { ...current.settings, overdueTasks: { enabled: true, thresholds: [1, 7, 15, 30, 60, 90] } }, version: current.version });
    expect(many.status).toBe(422);
    expect(many.body.error.details.fields).toEqual({ 'overdueTasks.thresholds': 'expected at most 5 thresholds' });
    const typo = await patch({ enabled: true, remind: true });
    expect(typo.status).toBe(422);
    expect(Object.keys(typo.body.error.details.fields)).toEqual(['overdueTasks.remind']);

    expect((await q.card('GET', '/api/settings')).body).toMatchObject({ version: current.version, settings: current.settings });
  });
});

describe(`Overdue follow-up with money coming back from QuickBooks (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { overdueTasks: { enabled: true, thresholds: [1, 15, 30] }, defaultItemId: '3' } });

  /** Moves the shared clock until the invoice is `days` days overdue in the company's date. */
  async function untilOverdue(invoiceId: string, days: number): Promise<void> {
    const due = (await copyOf(q, 'invoice', invoiceId)).due_date!;
    const today = await companyToday(q);
    const ahead = Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY) + days;
    await q.world.clock.advance(ahead * DAY);
    expect(await companyToday(q)).toBe(addDays(due, days));
  }

  it('When the customer pays part and then the rest in QuickBooks, then the task stays open after the first payment and is completed when the second comes back, without waiting for a sweep', async () => {
    const deal = await invoicedDeal(q, { name: 'Paid late', company: 'Quillfeather Joinery' });
    await untilOverdue(deal.invoiceId, 1);
    await sweptOk(q);
    const { DocNumber } = await qboObject(q, 'Invoice', deal.invoiceId);
    expect((await tasksOf(q, deal.dealId)).map((t) => [t.properties.hs_task_subject, t.properties.hs_task_status])).toEqual([
      [`Invoice ${DocNumber} is 1 day overdue: $500.00 open`, 'NOT_STARTED'],
    ]);

    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 200 }]);
    await hearFromQbo(q);
    expect((await tasksOf(q, deal.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['NOT_STARTED']);

    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 300 }]);
    await hearFromQbo(q);
    expect((await tasksOf(q, deal.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
  });

  it('When the invoice is voided in QuickBooks, then its task is completed as soon as DealBooks hears of it', async () => {
    const deal = await invoicedDeal(q, { name: 'Voided late', company: 'Rookwood Tannery' });
    await untilOverdue(deal.invoiceId, 1);
    await sweptOk(q);
    expect(await tasksOf(q, deal.dealId)).toHaveLength(1);
    await voidInvoice(q, deal.invoiceId);
    await hearFromQbo(q);
    expect((await tasksOf(q, deal.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
  });

  it('When the payment\'s notification is lost, then the QuickBooks change check that repairs the copy also completes the task', async () => {
    const deal = await invoicedDeal(q, { name: 'Paid quietly', company: 'Saltmarsh Cooperage' });
    await untilOverdue(deal.invoiceId, 1);
    await sweptOk(q);
    await quietly(q, () => pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 500 }]));
    await hearFromQbo(q);
    expect((await tasksOf(q, deal.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['NOT_STARTED']);
    await checkChanges(q);
    expect((await tasksOf(q, deal.dealId)).map((t) => t.properties.hs_task_status)).toEqual(['COMPLETED']);
  });
});
