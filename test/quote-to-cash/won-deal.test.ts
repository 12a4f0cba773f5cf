import { hubspotRecord, makeDeal, pressCreate, useQ2C } from './support';

describe('Quote to cash: a won deal becomes a QBO invoice', () => {
  const q = useQ2C();

  it('When auto-invoice is on and a deal reaches Closed Won, then exactly one invoice matching the deal to the cent is created and written back', async () => {
    await q.settings({ autoInvoice: true });
    const siteVisit = await q.find('products', 'name', 'Site Visit');
    expect((await q.card('PUT', `/api/mappings/products/${siteVisit}`, { itemId: '3' })).status).toBe(200);
    const dealId = await q.dealId('ABC LLC - Schematic design');
    const before = (await q.qbo('Invoice')).length;
    await q.edit('deals', dealId, { dealstage: 'closedwon' });
    await q.drain();
    const invoices = await q.qbo('Invoice');
    expect(invoices.length).toBe(before + 1);
    const invoice = invoices[invoices.length - 1];
    expect(invoice.CustomerRef.value).toBe('1'); // "ABC LLC", matched by name, not created
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body.invoices).toHaveLength(1);
    expect(summary.body.invoices[0].totalCents).toBe(Math.round(invoice.TotalAmt * 100));

    // What the rep, reports and workflows read on the deal in HubSpot: DealBooks' properties, as HubSpot holds them.
    // 1200 + 3 x 150.50 with no tax on these items; HubSpot keeps a number property as its canonical decimal, so the
    // exact amount reads back as "1651.5".
    const { properties } = await hubspotRecord(q, 'deals', dealId);
    expect({
      customer: properties.dealbooks_qbo_customer,
      id: properties.dealbooks_invoice_id,
      number: properties.dealbooks_invoice_number,
      status: properties.dealbooks_invoice_status,
      total: properties.dealbooks_invoice_total,
      balance: properties.dealbooks_invoice_balance,
    }).toEqual({ customer: 'ABC LLC', id: invoice.Id, number: invoice.DocNumber, status: 'open', total: '1651.5', balance: '1651.5' });
    expect(invoice.TotalAmt).toBe(1651.5);
    expect(properties.dealbooks_invoice_number).toMatch(/^\d+$/);
    expect(properties.dealbooks_invoice_link).toBe(summary.body.invoices[0].url);
    expect(properties.dealbooks_invoice_link).toMatch(new RegExp(`^https://[^/]+/app/invoice\\?txnId=${invoice.Id}$`));
  });
});

describe('Quote to cash: one QBO project per deal', () => {
  const q = useQ2C();

  it('When projects per deal are on, then each deal is invoiced to its own sub-customer under the company customer, created once', async () => {
    await q.settings({ customers: { createWhenNoMatch: true, matchThreshold: 0.8, projectPerDeal: true }, defaultItemId: '3' });
    const company = await q.create('companies', { name: 'Zephyr Quarry Works', domain: 'zephyr.example' });
    const deals: string[] = [];
    for (const name of ['Zephyr - phase 1', 'Zephyr - phase 2']) {
      const lines = [{ name: 'Survey', price: '250', quantity: '2' }];
      const { dealId } = await makeDeal(q, { name, company: { id: company.id }, closeDate: null, currency: null, lines });
      deals.push(dealId);
      await pressCreate(q, dealId);
      // Pressed again after it exists: the same invoice, nothing new.
      expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).body.status).toBe('exists');
    }
    const customers = await q.qbo('Customer');
    const parent = customers.filter((c: any) => c.DisplayName === 'Zephyr Quarry Works');
    expect(parent).toHaveLength(1);
    const projects = customers.filter((c: any) => c.Job === true && c.ParentRef?.value === parent[0].Id);
    expect(projects.map((p: any) => p.DisplayName).sort()).toEqual(['Zephyr - phase 1', 'Zephyr - phase 2']);
    const invoices = (await q.qbo('Invoice')).filter((i: any) => projects.some((p: any) => p.Id === i.CustomerRef.value));
    expect(invoices).toHaveLength(2);
    for (const invoice of invoices) expect(invoice.TotalAmt - (invoice.TxnTaxDetail?.TotalTax ?? 0)).toBeCloseTo(500, 2);
  });
});
