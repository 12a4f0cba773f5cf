import { hubspotRecord, makeDeal, otherAccount, pressCreate, qboCustomersNamed, useQ2C, type Q2C } from './support';

/**
 * What DealBooks leaves behind after every attempt. On the deal: its dealbooks_*
 * properties and a timeline note, read back from HubSpot as a user would see them. In DealBooks: the sync log,
 * per account, paged and filtered, with retry.
 */

/** A deal with its own company, a contact with an email (the company's accounts address) and the given lines. */
async function ledgerDeal(q: Q2C, spec: { name: string; company: string; lines: Array<Record<string, string>> }): Promise<string> {
  const email = `ap@${spec.company.toLowerCase().replace(/[^a-z]/g, '')}.example`;
  const { dealId } = await makeDeal(q, { ...spec, contacts: [{ firstname: 'Lee', lastname: 'Ledger', email }] });
  return dealId;
}

/** The plain text of the deal's timeline notes. */
async function dealNotes(q: Q2C, dealId: string): Promise<string[]> {
  const deal = await hubspotRecord(q, 'deals', dealId);
  const ids: string[] = [...new Set<string>((deal.associations?.notes?.results ?? []).map((r: any) => r.id))];
  const notes = await Promise.all(ids.map((id) => hubspotRecord(q, 'notes', id)));
  return notes.map((n: any) => String(n.properties.hs_note_body).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

async function syncLog(q: Q2C, query = ''): Promise<{ entries: any[]; next: { before: number } | null }> {
  const answer = await q.card('GET', `/api/sync-log${query}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('Write-back: the deal shows what happened in QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it("When an invoice is created, then the deal's DealBooks properties hold its customer, id, number, status, total, balance, due date and link, and a timeline note says so", async () => {
    const dealId = await ledgerDeal(q, { name: 'Write-back deal', company: 'Quokka Interiors', lines: [{ name: 'Fit-out design', price: '1250', quantity: '10' }] });
    await pressCreate(q, dealId);
    const invoice = (await q.qbo('Invoice')).find((i: any) => i.CustomerRef.name === 'Quokka Interiors');
    expect(invoice).toBeDefined();

    const { properties } = await hubspotRecord(q, 'deals', dealId);
    expect(properties).toMatchObject({
      dealbooks_qbo_customer: 'Quokka Interiors',
      dealbooks_invoice_id: invoice.Id,
      dealbooks_invoice_number: invoice.DocNumber,
      dealbooks_invoice_status: 'open',
      dealbooks_invoice_due_date: invoice.DueDate,
    });
    // Number properties: HubSpot keeps the value, not its formatting ("12500.00" reads back as "12500").
    expect(Number(properties.dealbooks_invoice_total)).toBe(12500);
    expect(Number(properties.dealbooks_invoice_balance)).toBe(12500);
    expect(invoice.TotalAmt).toBe(12500);
    expect(properties.dealbooks_invoice_link).toMatch(new RegExp(`/app/invoice\\?txnId=${invoice.Id}$`));
    expect(properties.dealbooks_last_problem ?? '').toBe('');

    const notes = await dealNotes(q, dealId);
    expect(notes.filter((n) => n.includes('created in QuickBooks'))).toEqual([expect.stringContaining(`Invoice ${invoice.DocNumber} for $12,500.00 created in QuickBooks`)]);
  });

  it('When an action is blocked, then the deal shows the problem in words, and a later success clears it', async () => {
    await q.settings({ defaultItemId: null });
    try {
      const product = await q.create('products', { name: 'Acoustic panel', hs_sku: 'AP-9', price: '75' });
      const dealId = await ledgerDeal(q, { name: 'Blocked deal', company: 'Raccoon Acoustics', lines: [{ name: 'Acoustic panel', hs_product_id: product.id, price: '75', quantity: '4' }] });
      await pressCreate(q, dealId);
      const blocked = (await hubspotRecord(q, 'deals', dealId)).properties;
      expect(blocked.dealbooks_last_problem).toMatch(/Map the HubSpot product “Acoustic panel” to a QuickBooks item/);
      expect(blocked.dealbooks_invoice_id ?? '').toBe('');

      // Finance maps the product; the rep presses again.
      expect((await q.card('PUT', `/api/mappings/products/${product.id}`, { itemId: '4' })).status).toBe(200);
      await pressCreate(q, dealId);
      const fixed = (await hubspotRecord(q, 'deals', dealId)).properties;
      expect(fixed.dealbooks_last_problem ?? '').toBe('');
      expect(fixed.dealbooks_invoice_id).toMatch(/^\d+$/);
      expect(fixed.dealbooks_invoice_status).toBe('open');
    } finally {
      await q.settings({ defaultItemId: '3' });
    }
  });
});

describe('Sync log: every attempt, per account', () => {
  let failedDeal: string;
  let otherDeal: string;
  const q = useQ2C({ settings: { defaultItemId: '3' } });
  beforeAll(async () => {
    // One deal whose invoice QBO refuses once (a 400 ValidationFault on the create), one that goes through.
    failedDeal = await ledgerDeal(q, { name: 'Refused deal', company: 'Salamander Salvage', lines: [{ name: 'Demolition', price: '900', quantity: '1' }] });
    otherDeal = await ledgerDeal(q, { name: 'Smooth deal', company: 'Tapir Transit', lines: [{ name: 'Route study', price: '400', quantity: '1' }] });
    await q.world.control('quickbooks', '/faults', { path: '/invoice', method: 'POST', status: 400, times: 1 });
    await pressCreate(q, failedDeal);
    await pressCreate(q, otherDeal);
  });

  // The injected 400 is QBO's ValidationFault with code 2000, and every QBO answer carries an intuit_tid header
  // "1-<hex seconds>-<24 hex>" (test/simulators/quickbooks/server-faults.ts and server.ts).
  it("When QuickBooks refuses an invoice, then the log has a failed entry with QuickBooks' error code, its intuit_tid and words saying what to do", async () => {
    const { entries } = await syncLog(q, `?dealId=${failedDeal}`);
    const failed = entries.filter((e) => e.outcome === 'failed');
    expect(failed).toEqual([
      expect.objectContaining({
        action: 'invoice',
        level: 'error',
        dealId: failedDeal,
        errorCode: '2000',
        intuitTid: expect.stringMatching(/^1-[0-9a-f]+-[0-9a-f]{24}$/),
        message: expect.stringMatching(/Invoice was refused by QuickBooks \(QuickBooks error 2000\): .*retry from the sync log/),
      }),
    ]);
    // The customer was created before the refusal, and that is logged too, with its own tid.
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'customer', outcome: 'succeeded', qboEntityType: 'Customer', message: 'Created QuickBooks customer "Salamander Salvage".' })]));
    expect(await q.qbo('Invoice')).toHaveLength(1);
    const summary = await q.card('GET', `/api/deals/${failedDeal}/summary`);
    expect(summary.body.problems).toEqual([expect.objectContaining({ code: 'qbo_rejected' })]);
  });

  it('When the log is read a page at a time, newest first, then pages follow each other without gaps or repeats, and filters by deal and outcome hold', async () => {
    const all = (await syncLog(q, '?limit=200')).entries;
    expect(all.length).toBeGreaterThanOrEqual(4);
    const ids = all.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const paged: number[] = [];
    let query = '?limit=2';
    for (let page = 0; page < 50; page++) {
      const { entries, next } = await syncLog(q, query);
      expect(entries.length).toBeLessThanOrEqual(2);
      paged.push(...entries.map((e) => e.id));
      if (!next) break;
      query = `?limit=2&before=${next.before}`;
    }
    expect(paged).toEqual(ids);

    const ofDeal = (await syncLog(q, `?dealId=${otherDeal}`)).entries;
    expect(ofDeal.length).toBeGreaterThan(0);
    expect(ofDeal.every((e) => e.dealId === otherDeal)).toBe(true);
    expect(ofDeal).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'invoice', outcome: 'succeeded', qboEntityType: 'Invoice', intuitTid: expect.stringMatching(/^1-/) })]));

    const failed = (await syncLog(q, '?outcome=failed')).entries;
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.outcome === 'failed')).toBe(true);

    const bad = await q.card('GET', '/api/sync-log?outcome=exploded');
    expect(bad.status).toBe(400);
  });

  it('When an id is written loosely (hex, a sign, a space, a fraction, a leading zero), then it is refused with 400 instead of meaning another entry or deal', async () => {
    const failed = (await syncLog(q, `?dealId=${failedDeal}&outcome=failed`)).entries[0];
    const id = Number(failed.id);
    for (const loose of [`0x${id.toString(16)}`, `%2B${id}`, `%20${id}`, `${id}.0`, `0${id}`, `${id}e0`]) {
      const retry = await q.card('POST', `/api/sync-log/${loose}/retry`, {});
      expect([loose, retry.status]).toEqual([loose, 400]);
    }
    for (const path of [`/api/deals/0${failedDeal}/summary`, `/api/sync-log?dealId=0${failedDeal}`, `/api/sync-log?before=0x${(id + 1).toString(16)}`]) {
      const answer = await q.card('GET', path);
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 400, 'validation_failed']);
    }
    // Nothing was queued by any of them: the entry is still failed and its deal has no action waiting.
    expect((await syncLog(q, `?dealId=${failedDeal}`)).entries[0]).toMatchObject({ id: failed.id, outcome: 'failed' });
  });

  it('When another HubSpot account reads the log or retries an entry, then it sees none of these entries and cannot retry them', async () => {
    const { card: asOther } = await otherAccount(q, 62515099, { quickbooksCompany: 'Elsewhere Books' });

    const theirs = await asOther('GET', '/api/sync-log?limit=200');
    expect(theirs.status).toBe(200);
    expect(theirs.body.entries).toEqual([]);
    const byDeal = await asOther('GET', `/api/sync-log?dealId=${failedDeal}`);
    expect(byDeal.body.entries).toEqual([]);

    const failedId = (await syncLog(q, `?dealId=${failedDeal}&outcome=failed`)).entries[0].id;
    const retry = await asOther('POST', `/api/sync-log/${failedId}/retry`, {});
    expect(retry.status).toBe(404);
    await q.drain();
    expect((await q.card('GET', `/api/deals/${failedDeal}/summary`)).body.invoices).toEqual([]);
  });

  it('When only listed users may create, then someone else cannot retry an entry (a retry creates, sends or converts again)', async () => {
    const failedId = (await syncLog(q, `?dealId=${failedDeal}&outcome=failed`)).entries[0].id;
    await q.settings({ creators: ['4242001'] });
    try {
      const refused = await q.card('POST', `/api/sync-log/${failedId}/retry`, {}, 4242002);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/allow only some users to create invoices.*Ask a DealBooks admin to add you/);
    } finally {
      await q.settings({ creators: 'everyone' });
    }
    await q.drain();
    expect((await q.card('GET', `/api/deals/${failedDeal}/summary`)).body.invoices).toEqual([]);
  });

  it('When a failed entry is retried after the cause is gone, then the action runs again and the invoice is created once; a succeeded entry cannot be retried', async () => {
    const failed = (await syncLog(q, `?dealId=${failedDeal}&outcome=failed`)).entries[0];
    const retry = await q.card('POST', `/api/sync-log/${failed.id}/retry`, {});
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ status: 'queued', action: { kind: 'invoice' } });
    await q.drain();

    const summary = await q.card('GET', `/api/deals/${failedDeal}/summary`);
    expect(summary.body.invoices).toHaveLength(1);
    expect(summary.body.problems).toEqual([]);
    const invoices = (await q.qbo('Invoice')).filter((i: any) => i.CustomerRef.name === 'Salamander Salvage');
    expect(invoices).toHaveLength(1);
    const { entries } = await syncLog(q, `?dealId=${failedDeal}`);
    expect(entries[0]).toMatchObject({ action: 'invoice', outcome: 'succeeded', qboEntityId: invoices[0].Id, dealActionId: retry.body.action.id });
    expect(await qboCustomersNamed(q, 'Salamander Salvage')).toHaveLength(1);

    const again = await q.card('POST', `/api/sync-log/${entries[0].id}/retry`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/succeeded; there is nothing to retry/);
  });

  it('When a retry bills the customer an earlier attempt created, then the log says the customer was created once, not at every attempt', async () => {
    // Runs after the retry above: the first attempt created the customer, the retry only used it.
    const { entries } = await syncLog(q, `?dealId=${failedDeal}`);
    expect(entries.some((e) => e.action === 'invoice' && e.outcome === 'succeeded')).toBe(true);
    const created = entries.filter((e) => e.action === 'customer' && e.message.startsWith('Created QuickBooks customer'));
    expect(created).toHaveLength(1);
  });
});
