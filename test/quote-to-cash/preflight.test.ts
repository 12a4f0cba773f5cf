import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { createThroughCard, makeDeal, otherAccount, pressCreate, qboMark, qboRecord, qboWritesSince, useQ2C, type DealSpec, type Q2C } from './support';

/**
 * Every problem that would make a wrong or failed invoice is found before anything is written,
 * shown in the preview and on the card in words a person can act on, and blocks the action: QBO sees no write.
 * Each test makes its own deal so the tests do not depend on each other or on the demo deals' state.
 */

let contacts = 0;
/**
 * A deal as a rep sets it up in HubSpot, in the default pipeline: unless the spec says otherwise, a company, a contact
 * with an email of its own (so no deal's contact matches another deal's customer) and one line item.
 */
async function repDeal(q: Q2C, spec: Omit<DealSpec, 'lines'> & { lines?: DealSpec['lines'] }): Promise<string> {
  contacts += 1;
  const deal = await makeDeal(q, {
    contacts: [{ firstname: 'Pat', lastname: 'Buyer', email: `pat${contacts}@buyer.example` }],
    lines: [{ name: 'Consulting', price: '100', quantity: '1' }],
    ...spec,
  });
  return deal.dealId;
}

/**
 * Runs deal work until a job has to wait for a person (or none is left). Not `q.drain()`: it ignores start times,
 * so it would pick the parked job up again at once, over and over, which no worker does.
 */
async function runUntilWaiting(q: Q2C): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const outcome = await q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true });
    if (outcome === 'waiting' || outcome === 'idle') return outcome;
  }
  throw new Error('deal work neither waited nor drained in 50 jobs');
}

/**
 * The problem shows in the preview, and pressing "Create invoice" is refused by preflight: the action ends blocked
 * with the same problem on the card, and QBO receives no write at all.
 */
async function expectBlockedBy(q: Q2C, dealId: string, code: string, words: RegExp): Promise<void> {
  const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
  expect(preview.status).toBe(200);
  expect(preview.body.writes).toBe('none');
  const previewed = preview.body.problems.find((p: any) => p.code === code);
  expect(previewed?.message).toMatch(words);

  const mark = await qboMark(q);
  const invoicesBefore = (await q.qbo('Invoice')).length;
  const { summary } = await createThroughCard(q, dealId);
  expect(summary.invoices).toEqual([]);
  expect(summary.pending).toEqual([]);
  const shown = summary.problems.find((p: any) => p.code === code);
  expect(shown?.message).toMatch(words);
  expect(await qboWritesSince(q, mark)).toEqual([]);
  expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
}

describe('Preflight: problems on the deal are shown before anything is written', () => {
  const q = useQ2C();

  it('When the deal has no line items, then the preview says to add products and creating the invoice writes nothing to QuickBooks', async () => {
    const dealId = await repDeal(q, { name: 'Empty deal', lines: [] });
    await expectBlockedBy(q, dealId, 'no_line_items', /“Empty deal” has no line items\. Add the products sold to the deal in HubSpot/);
  });

  it('When a line item is a product with no QuickBooks item and no default item is set, then the preview names the product to map and nothing is written', async () => {
    const product = await q.create('products', { name: 'Drone survey', hs_sku: 'DRN-1', price: '300' });
    const dealId = await repDeal(q, {
      name: 'Survey deal',
      lines: [{ name: 'Drone survey', hs_product_id: product.id, hs_sku: 'DRN-1', price: '300', quantity: '2' }],
    });
    await expectBlockedBy(q, dealId, 'unmapped_product', /Map the HubSpot product “Drone survey” to a QuickBooks item in DealBooks settings, or choose a default item/);
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.problems.find((p: any) => p.code === 'unmapped_product').subject).toMatchObject({ productId: product.id, name: 'Drone survey' });
  });

  it('When the deal is in a currency the QuickBooks company does not book in, then the preview says which currencies differ and nothing is written', async () => {
    const dealId = await repDeal(q, { name: 'Euro deal', company: 'Euro Client GmbH', currency: 'EUR' });
    await expectBlockedBy(q, dealId, 'currency_mismatch', /The deal is in EUR but QuickBooks books only in USD.*Change the deal's currency to USD, or turn on multicurrency/);
  });

  it('When the company only resembles a QuickBooks customer, then the preview asks to confirm the customer, the card offers "Confirm customer" and nothing is written', async () => {
    await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Customer`, { DisplayName: 'Harborview Architects', CompanyName: 'Harborview Architects', Active: true });
    const dealId = await repDeal(q, { name: 'Harborview deal', company: 'Harborview Architecture', contacts: [{ firstname: 'Hal', lastname: 'Bor' }] });
    await expectBlockedBy(q, dealId, 'customer_needs_confirmation', /“Harborview Architecture” has no exact match.*“Harborview Architects” \(\d+%\).*Confirm the right customer on the deal card/);
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.customer).toMatchObject({ state: 'needs_confirmation', candidates: [expect.objectContaining({ displayName: 'Harborview Architects' })] });
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.allowedActions).toContain('confirm_customer');
    // Never linked or created behind the person's back.
    expect((await q.qbo('Customer')).filter((c: any) => /Harborview/.test(c.DisplayName))).toHaveLength(1);
  });

  it('When invoices are emailed on creation and neither the contact nor the customer has an email, then the preview says where to add one and nothing is written', async () => {
    await q.settings({ delivery: 'send' });
    try {
      const dealId = await repDeal(q, { name: 'No email deal', company: 'Quietwood Studio', contacts: [{ firstname: 'Nora', lastname: 'Mail' }] });
      await expectBlockedBy(q, dealId, 'no_bill_email', /neither the deal's contact nor the QuickBooks customer has an email address\. Add an email to the deal's contact in HubSpot/);
      expect((await q.qbo('Customer')).some((c: any) => c.DisplayName === 'Quietwood Studio')).toBe(false);
    } finally {
      await q.settings({ delivery: 'review' });
    }
  });

  it('When several problems exist at once, then the preview lists all of them, not just the first', async () => {
    const product = await q.create('products', { name: 'Laser scan', price: '80' });
    const dealId = await repDeal(q, {
      name: 'Many problems',
      company: 'Multi Trouble SARL',
      lines: [{ name: 'Laser scan', hs_product_id: product.id, price: '80', quantity: '1' }],
      currency: 'EUR',
    });
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.problems.map((p: any) => p.code).sort()).toEqual(['currency_mismatch', 'unmapped_product']);
    expect(preview.body.document).toBeNull();
  });

  it('When nothing blocks, then the preview shows exactly the invoice that is then created in QuickBooks', async () => {
    await q.settings({ defaultItemId: '3' });
    const dealId = await repDeal(q, {
      name: 'Exact preview',
      company: 'Preview Partners',
      contacts: [{ firstname: 'Prue', lastname: 'View', email: 'prue@preview.example' }],
      lines: [
        { name: 'Modelling hours', price: '33.33', quantity: '3' },
        { name: 'Permit drawings', price: '500', quantity: '2', hs_discount_percentage: '15' },
        { name: 'Courtesy visit', price: '0', quantity: '1' },
      ],
    });
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.customer).toMatchObject({ state: 'will_create', displayName: 'Preview Partners', email: 'prue@preview.example' });
    const doc = preview.body.document;
    // 3 x 33.33 + (1000 - 15%) + 0
    expect(doc.totalCents).toBe(9999 + 85000);
    expect(doc.lineItemsTotalCents).toBe(doc.totalCents);
    // The preview wrote nothing: no customer yet.
    expect((await q.qbo('Customer')).some((c: any) => c.DisplayName === 'Preview Partners')).toBe(false);

    await pressCreate(q, dealId);
    const customer = (await q.qbo('Customer')).find((c: any) => c.DisplayName === 'Preview Partners');
    const invoice = (await q.qbo('Invoice')).find((i: any) => i.CustomerRef.value === customer.Id);
    expect(invoice).toBeDefined();
    expect(invoice.TxnDate).toBe(doc.txnDate);
    expect(invoice.DueDate ?? null).toBe(doc.dueDate);
    expect(invoice.SalesTermRef?.value ?? null).toBe(doc.terms?.id ?? null);
    expect(invoice.BillEmail?.Address ?? null).toBe(doc.billEmail);
    expect(invoice.CustomerMemo?.value ?? null).toBe(doc.memo);
    const itemLines = invoice.Line.filter((l: any) => l.DetailType === 'SalesItemLineDetail');
    // Each previewed line is on the invoice with its item and amount after discount (a discount is its own line).
    for (const line of doc.lines) {
      const onInvoice = itemLines.filter((l: any) => l.SalesItemLineDetail.ItemRef.value === line.itemId && String(l.Description).includes(line.description));
      expect(onInvoice.length).toBeGreaterThan(0);
      const cents = onInvoice.reduce((sum: number, l: any) => sum + Math.round(l.Amount * 100), 0);
      expect(cents).toBe(line.amountCents);
    }
    const pretax = itemLines.reduce((sum: number, l: any) => sum + Math.round(l.Amount * 100), 0);
    expect(pretax).toBe(doc.totalCents);
    expect(Math.round((invoice.TotalAmt - (invoice.TxnTaxDetail?.TotalTax ?? 0)) * 100)).toBe(doc.totalCents);
  });
});

/** The accountant closes the books in QuickBooks through `date` (Preferences.AccountingInfoPrefs.BookCloseDate). */
async function closeBooksThrough(q: Q2C, date: string): Promise<void> {
  const response = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/quickbooks/companies/${q.realmId}/preferences`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ AccountingInfoPrefs: { BookCloseDate: date } }),
  });
  expect(response.status).toBe(200);
}

describe('Preflight: the books are closed for the transaction date', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When the deal closes on a date QuickBooks has closed the books for, then the preview names the dates and what to do, and nothing is written', async () => {
    // The accountant closes the books through October (Preferences.AccountingInfoPrefs.BookCloseDate; QBO refuses
    // transactions dated on or before it). Done before this world first reads the preferences,
    // which DealBooks caches for a minute.
    await closeBooksThrough(q, '2026-10-31');
    const dealId = await repDeal(q, { name: 'Backdated deal', company: 'Oldbooks Ltd', closeDate: '2026-10-15T00:00:00.000Z' });
    await expectBlockedBy(
      q,
      dealId,
      'closed_period',
      /The transaction date 2026-10-15 is in a closed period in QuickBooks \(books closed through 2026-10-31\)\. Change the deal's close date or ask your accountant to reopen the period/,
    );
    // A deal closing after the close date is fine.
    const later = await repDeal(q, { name: 'Current deal', company: 'Newbooks Ltd', closeDate: '2026-11-15T00:00:00.000Z' });
    const preview = await q.card('GET', `/api/deals/${later}/preview`);
    expect(preview.body.problems).toEqual([]);
  });

  it('When the books are closed through today and a rep converts an estimate, then the conversion is blocked with the dates and what to do, and nothing is written', async () => {
    const dealId = await repDeal(q, { name: 'Estimate in a closed month', company: 'Closedmonth Tilers', closeDate: '2026-11-15T00:00:00.000Z' });
    const { documents } = await createThroughCard(q, dealId, 'estimate');
    const estimate = documents[0];
    expect(estimate.TxnStatus).toBe('Pending');
    // The converted invoice is dated like every DealBooks document (the txnDate setting: the deal's close date). The
    // accountant closes the books through today; the minute DealBooks keeps the preferences passes, so the
    // conversion reads the close date.
    const today = new Date(q.world.clock.nowMs()).toISOString().slice(0, 10);
    await closeBooksThrough(q, today);
    await q.world.clock.advance(61_000);

    const mark = await qboMark(q);
    const converted = await q.card('POST', `/api/estimates/${estimate.Id}/convert`, {});
    expect(converted.status).toBe(202);
    await q.drain();

    const words = new RegExp(
      `^The transaction date 2026-11-15 is in a closed period in QuickBooks \\(books closed through ${today}\\)\\. Ask your accountant to reopen the period, or change the deal’s close date, then convert again\\.$`,
    );
    const summary = (await q.card('GET', `/api/deals/${dealId}/summary`)).body;
    expect(summary.invoices).toEqual([]);
    expect(summary.pending).toEqual([]);
    expect(summary.problems.map((p: any) => p.code)).toEqual(['closed_period']);
    expect(summary.problems[0].message).toMatch(words);
    expect(await qboWritesSince(q, mark)).toEqual([]);
    expect((await qboRecord(q, 'Estimate', estimate.Id)).TxnStatus).toBe('Pending');
  });
});

describe('Preflight: QuickBooks is not usable', () => {
  const q = useQ2C();

  it('When the HubSpot account never connected QuickBooks, then the preview says to connect it and creating an invoice is refused with 409', async () => {
    // A second HubSpot account installs DealBooks but connects no QuickBooks company.
    const { portalId: other, card } = await otherAccount(q, 62515077);
    expect(other).toBe(62515077);
    const found = await q.world.control('hubspot', `/hubspot/accounts/${other}/objects/deals?dealname=${encodeURIComponent('ABC LLC - Schematic design')}`);
    const dealId = found.results[0].id;

    const preview = await card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.problems).toEqual([expect.objectContaining({ code: 'quickbooks_not_connected', message: expect.stringMatching(/QuickBooks is not connected\. Connect QuickBooks in DealBooks settings/) })]);

    const mark = await qboMark(q);
    const pressed = await card('POST', `/api/deals/${dealId}/invoices`, {});
    expect(pressed.status).toBe(409);
    expect(pressed.body.error.code).toBe('quickbooks_not_connected');
    expect(pressed.body.error.message).toMatch(/Connect QuickBooks/);
    await q.drain();
    expect(await qboWritesSince(q, mark)).toEqual([]);
    const summary = await card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.connection.state).toBe('not_connected');
    expect(summary.body.allowedActions).toEqual(['connect_quickbooks']);
  });

  it('When the QuickBooks connection was revoked, then the invoice waits instead of failing, the preview says to reconnect, a new press gets 409, and nothing is written', async () => {
    const dealId = await repDeal(q, { name: 'Revoked deal', company: 'Revoked Holdings' });
    await q.world.control('quickbooks', '/oauth/revoke', { realmId: q.realmId });
    const mark = await qboMark(q);
    // DealBooks learns of the revocation at its next QuickBooks call: the action stops and waits for a reconnect.
    expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(202);
    expect(await runUntilWaiting(q)).toBe('waiting');
    expect(await qboWritesSince(q, mark)).toEqual([]);

    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.connection.state).toBe('needs_reconnect');
    expect(summary.body.allowedActions).toEqual(['reconnect_quickbooks']);
    expect(summary.body.pending).toEqual([expect.objectContaining({ kind: 'invoice', status: 'queued', waitingFor: expect.stringMatching(/Reconnect QuickBooks/) })]);

    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.problems).toEqual([expect.objectContaining({ code: 'quickbooks_needs_reconnect', message: expect.stringMatching(/Reconnect QuickBooks in DealBooks settings/) })]);

    const again = await q.card('POST', `/api/deals/${dealId}/invoices`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('quickbooks_needs_reconnect');
    expect(again.body.error.message).toMatch(/Reconnect QuickBooks/);
    expect(await runUntilWaiting(q)).toBe('waiting');
    expect(await qboWritesSince(q, mark)).toEqual([]);
    expect(await q.qbo('Invoice')).toEqual([]);
  });
});
