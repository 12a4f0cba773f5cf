import { makeDeal, qboRecord, useQ2C, type Q2C } from './support';

/**
 * The rules every document DealBooks creates shares (an invoice, an estimate, an invoice converted from an
 * estimate): the private note names the deal, TxnDate follows the settings' date rule, and the company's "Deal ID"
 * sales-form custom field carries the deal id (the demo company has one in use, field 1; test/simulators/quickbooks/seed.ts).
 */

let count = 0;
async function headerDeal(q: Q2C, name: string): Promise<string> {
  count += 1;
  const { dealId } = await makeDeal(q, {
    name,
    company: `Header Works ${['Alpha', 'Bravo', 'Charlie', 'Delta'][count - 1]}`,
    contacts: [{ firstname: 'Hana', lastname: 'Header', email: `hana${count}@header.example` }],
    closeDate: '2026-11-20T00:00:00.000Z',
    lines: [{ name: 'Site visit', price: '120', quantity: '2' }],
  });
  return dealId;
}

async function created(q: Q2C, dealId: string, kind: 'invoice' | 'estimate'): Promise<any> {
  const pressed = await q.card('POST', `/api/deals/${dealId}/${kind}s`, {});
  expect(pressed.status).toBe(202);
  await q.drain();
  const summary = (await q.card('GET', `/api/deals/${dealId}/summary`)).body;
  const shown = kind === 'invoice' ? summary.invoices : summary.estimates;
  expect(shown).toHaveLength(1);
  return qboRecord(q, kind === 'invoice' ? 'Invoice' : 'Estimate', shown[0].id);
}

const dealIdField = (dealId: string) => expect.arrayContaining([expect.objectContaining({ DefinitionId: '1', Name: 'Deal ID', StringValue: dealId })]);

describe('Document header: the deal reference, the date and the "Deal ID" field on every document', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When an invoice or an estimate is created, then QuickBooks has the deal id in its "Deal ID" field and the deal in its private note', async () => {
    const invoiceDeal = await headerDeal(q, 'Header invoice deal');
    const invoice = await created(q, invoiceDeal, 'invoice');
    expect(invoice.CustomField).toEqual(dealIdField(invoiceDeal));
    expect(invoice.PrivateNote).toContain(`HubSpot deal "Header invoice deal" (deal ${invoiceDeal}, HubSpot account ${q.portalId}).`);

    const estimateDeal = await headerDeal(q, 'Header estimate deal');
    const estimate = await created(q, estimateDeal, 'estimate');
    expect(estimate.CustomField).toEqual(dealIdField(estimateDeal));
    expect(estimate.TxnDate).toBe('2026-11-20');
  });

  it('When an estimate is converted, then the invoice names the deal and the estimate, is dated by the deal’s close date, and carries the "Deal ID" field', async () => {
    const dealId = await headerDeal(q, 'Header conversion deal');
    const estimate = await created(q, dealId, 'estimate');
    const today = q.world.clock.now().toISOString().slice(0, 10);
    expect(today).not.toBe('2026-11-20');

    const converted = await q.card('POST', `/api/estimates/${estimate.Id}/convert`, {});
    expect(converted.status).toBe(202);
    await q.drain();
    const summary = (await q.card('GET', `/api/deals/${dealId}/summary`)).body;
    expect(summary.invoices).toHaveLength(1);
    const invoice = await qboRecord(q, 'Invoice', summary.invoices[0].id);
    expect(invoice.PrivateNote).toContain(`Converted from QuickBooks estimate ${estimate.DocNumber}.`);
    expect(invoice.PrivateNote).toContain(`HubSpot deal "Header conversion deal" (deal ${dealId}, HubSpot account ${q.portalId}).`);
    expect(invoice.TxnDate).toBe('2026-11-20');
    expect(invoice.CustomField).toEqual(dealIdField(dealId));
  });
});
