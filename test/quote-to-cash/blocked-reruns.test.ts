import { createThroughCard, makeDeal, useQ2C, type Q2C } from './support';
import { invoicesOfDeal } from './support-once';

/**
 * Blocked work runs again by itself once its cause is gone: the deal changes in HubSpot (a webhook), the settings or
 * product mappings change. It goes through the same queue path as a press on the card, so it makes one document.
 */

async function blockedInvoice(q: Q2C, dealId: string, code: string): Promise<void> {
  const { summary } = await createThroughCard(q, dealId);
  expect(summary.invoices).toEqual([]);
  expect(summary.problems.map((p: any) => p.code)).toContain(code);
}

async function invoiceShown(q: Q2C, dealId: string): Promise<any[]> {
  const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
  return summary.body.invoices;
}

describe('Blocked work runs again when the deal changes', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When a deal blocked by a closed period gets a later close date in HubSpot, then its invoice is created by itself, once, dated by the new close date', async () => {
    // The books are closed through October (before this world first reads the preferences, which are cached).
    const response = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/quickbooks/companies/${q.realmId}/preferences`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ AccountingInfoPrefs: { BookCloseDate: '2026-10-31' } }),
    });
    expect(response.status).toBe(200);
    const { dealId } = await makeDeal(q, {
      name: 'Backdated rerun deal',
      company: 'Latebooks Joinery',
      closeDate: '2026-10-15T00:00:00.000Z',
      lines: [{ name: 'Cabinet', price: '800', quantity: '1' }],
    });
    await blockedInvoice(q, dealId, 'closed_period');

    // The rep fixes the close date in HubSpot; HubSpot sends the change to DealBooks. Nobody presses anything.
    await q.edit('deals', dealId, { closedate: '2026-11-16T00:00:00.000Z' });
    await q.drain();
    const shown = await invoiceShown(q, dealId);
    expect(shown).toHaveLength(1);
    expect(shown[0].txnDate).toBe('2026-11-16');

    // Later changes to the deal find the invoice there: never a second one.
    await q.edit('deals', dealId, { amount: '900' });
    await q.edit('deals', dealId, { closedate: '2026-11-18T00:00:00.000Z' });
    await q.drain();
    expect(await invoicesOfDeal(q, dealId)).toHaveLength(1);
  });
});

describe('Blocked work runs again when settings or mappings change', () => {
  const q = useQ2C();

  it('When a deal blocked by an unmapped product gets a default item in settings, then its invoice is created by itself', async () => {
    const product = await q.create('products', { name: 'Kiln Firing', price: '300' });
    const { dealId } = await makeDeal(q, { name: 'Settings rerun deal', company: 'Ashglaze Pottery', lines: [{ name: 'Kiln Firing', hs_product_id: product.id, price: '300', quantity: '2' }] });
    await blockedInvoice(q, dealId, 'unmapped_product');

    await q.settings({ defaultItemId: '3' });
    await q.drain();
    expect(await invoiceShown(q, dealId)).toHaveLength(1);
    await q.settings({ defaultItemId: null });
  });

  it('When a deal blocked by an unmapped product has the product mapped, then its invoice is created by itself', async () => {
    const product = await q.create('products', { name: 'Glaze Mixing', price: '75' });
    const { dealId } = await makeDeal(q, { name: 'Mapping rerun deal', company: 'Cobalt Kilnworks', lines: [{ name: 'Glaze Mixing', hs_product_id: product.id, price: '75', quantity: '4' }] });
    await blockedInvoice(q, dealId, 'unmapped_product');

    const mapped = await q.card('PUT', `/api/mappings/products/${product.id}`, { itemId: '3' });
    expect(mapped.status).toBe(200);
    await q.drain();
    const shown = await invoiceShown(q, dealId);
    expect(shown).toHaveLength(1);
    expect(shown[0].totalCents).toBe(30000);
  });
});

describe('Blocked work runs again when QuickBooks is reconnected', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  /** A browser request that does not follow redirects: where it is sent next. */
  async function location(url: string): Promise<string> {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!, url).toString();
  }

  it('When the accountant reopens the period and QuickBooks is reconnected, then the invoice blocked by the closed period is created by itself', async () => {
    const prefs = `${q.world.sandbox.quickbooks.url}/_sim/quickbooks/companies/${q.realmId}/preferences`;
    const close = (date: string) => fetch(prefs, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AccountingInfoPrefs: { BookCloseDate: date } }) });
    expect((await close('2026-10-31')).status).toBe(200);
    const { dealId } = await makeDeal(q, { name: 'Reopened period deal', company: 'Reopen Ledger Mills', closeDate: '2026-10-20T00:00:00.000Z', lines: [{ name: 'Audit', price: '450', quantity: '1' }] });
    await blockedInvoice(q, dealId, 'closed_period');

    expect((await close('2026-09-30')).status).toBe(200);
    // DealBooks keeps QuickBooks' preferences for a minute.
    await q.world.clock.advance(61_000);
    const connect = await q.card('POST', '/api/quickbooks/connect-url');
    expect(connect.status).toBe(200);
    const callback = await location(await location(connect.body.url));
    const page = await fetch(callback, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('reconnected');

    await q.drain();
    const shown = await invoiceShown(q, dealId);
    expect(shown).toHaveLength(1);
    expect(shown[0].txnDate).toBe('2026-10-20');
  });
});
