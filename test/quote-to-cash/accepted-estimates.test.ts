import { convertIfAccepted } from '../../server/src/quote-to-cash/accepted-estimates';
import { dealActions, invoicesOfEstimate, newEstimate } from './support-once';
import { hearFromQbo } from './support-money';
import { qboRecord, useQ2C, type Q2C } from './support';

/**
 * An estimate the customer accepts in QuickBooks becomes the deal's invoice by itself when finance turned
 * `convertAcceptedEstimates` on, through the card's own conversion: once per estimate, never over an existing
 * invoice, never with the setting off. The estimate is accepted by the bookkeeper's control call (QBO's own rules);
 * its webhook reaches DealBooks and the change work decides. `decide` asks the same rule directly, as a re-delivered
 * or late notification would.
 */
async function accept(q: Q2C, estimateId: string): Promise<void> {
  const response = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/quickbooks/bookkeeper/${q.realmId}/estimates/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: estimateId }),
  });
  expect(response.status).toBe(200);
}

/** What the change processing does with an estimate notification: read it as QBO has it now, then decide. */
async function decide(q: Q2C, dealId: string, estimateId: string) {
  const deps = q.world.ctx.quoteToCash;
  const connection = (await deps.connections.live(q.portalId))!;
  const fresh = (await deps.sales.readDocument(q.portalId, 'estimate', estimateId))!;
  return convertIfAccepted(deps, { portalId: q.portalId, connectionId: connection.id, dealId, estimate: fresh.document });
}

describe('Accepted estimates with convertAcceptedEstimates on', () => {
  const q = useQ2C({ settings: { defaultItemId: '3', convertAcceptedEstimates: true } });

  it('When the customer accepts an estimate in QuickBooks, then its notification converts it into one invoice, and hearing of it again converts nothing more', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Accepted auto convert', company: 'Yes Please Pottery' });
    await hearFromQbo(q);
    expect(await decide(q, dealId, estimate.Id)).toEqual({ kind: 'skipped', reason: 'not_accepted' });
    await accept(q, estimate.Id);
    await hearFromQbo(q);

    const invoices = await invoicesOfEstimate(q, estimate.Id);
    expect(invoices).toHaveLength(1);
    expect((await qboRecord(q, 'Estimate', estimate.Id)).TxnStatus).toBe('Closed');
    const converts = (await dealActions(q, dealId)).filter((a) => a.kind === 'convert');
    expect(converts).toEqual([expect.objectContaining({ status: 'succeeded', trigger: 'auto' })]);
    // Later notifications, and a late one replayed with the estimate as it was when accepted, convert nothing more.
    await hearFromQbo(q);
    expect(await decide(q, dealId, estimate.Id)).toMatchObject({ kind: 'skipped' });
    const deps = q.world.ctx.quoteToCash;
    const connection = (await deps.connections.live(q.portalId))!;
    expect(await convertIfAccepted(deps, { portalId: q.portalId, connectionId: connection.id, dealId, estimate: { id: estimate.Id, txnStatus: 'Accepted', linked: [] } })).toMatchObject({ kind: 'skipped' });
    await q.drain();
    expect(await invoicesOfEstimate(q, estimate.Id)).toHaveLength(1);
  });

  it('When the same acceptance is decided twice before the job runs, then the conversion is asked for once', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Accepted twice at once', company: 'Twice Told Tiles' });
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await accept(q, estimate.Id);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 0 });
    expect((await decide(q, dealId, estimate.Id)).kind).toBe('queued');
    expect(await decide(q, dealId, estimate.Id)).toEqual({ kind: 'skipped', reason: 'already_asked' });
    await q.drain();
    expect(await invoicesOfEstimate(q, estimate.Id)).toHaveLength(1);
  });

  it('When the deal already has an invoice, then an accepted estimate is left as it is', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Accepted but invoiced', company: 'Already Billed Barns' });
    expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(202);
    await q.drain();
    await accept(q, estimate.Id);
    expect(await decide(q, dealId, estimate.Id)).toEqual({ kind: 'skipped', reason: 'deal_has_invoice' });
    expect(await invoicesOfEstimate(q, estimate.Id)).toHaveLength(0);
  });

  it('When a failed conversion was already asked for, then accepting again does not ask a second time by itself', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Accepted after a refusal', company: 'Second Thoughts Studio' });
    await q.world.ctx.quoteToCash.pool.query(
      `INSERT INTO deal_actions (portal_id, deal_id, kind, target_id, trigger, status, finished_at) VALUES ($1, $2, 'convert', $3, 'card', 'failed', now())`,
      [q.portalId, dealId, estimate.Id],
    );
    await accept(q, estimate.Id);
    expect(await decide(q, dealId, estimate.Id)).toEqual({ kind: 'skipped', reason: 'already_asked' });
  });
});

describe('Accepted estimates with convertAcceptedEstimates off (the default)', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When the customer accepts an estimate, then nothing is converted: finance has not asked for it', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Accepted, setting off', company: 'Hands Off Hardware' });
    await accept(q, estimate.Id);
    await hearFromQbo(q);
    expect(await decide(q, dealId, estimate.Id)).toEqual({ kind: 'skipped', reason: 'setting_off' });
    expect(await invoicesOfEstimate(q, estimate.Id)).toHaveLength(0);
    expect((await dealActions(q, dealId)).filter((a) => a.kind === 'convert')).toEqual([]);
  });
});
