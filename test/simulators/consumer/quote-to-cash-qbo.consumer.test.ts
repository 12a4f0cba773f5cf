import { SimClock } from '../common/clock';
import * as Qbo from '../quickbooks';
import { connectQbo, qboApi, qboLiteral, saveIntuitStatics } from './consumer-support';

/**
 * The QuickBooks half of quote to cash, as DealBooks will run it for a won deal: find or create the customer, match
 * the items, create the invoice idempotently with its terms, tax, discount, class and custom field, send it, fetch
 * the pay link, and convert an estimate. Every call goes through intuit-oauth's makeApiCall.
 */
let clock: SimClock;
let sim: Qbo.QuickbooksSimulator;
let api: ReturnType<typeof qboApi>;
const restoreStatics = saveIntuitStatics();

beforeEach(async () => {
  clock = new SimClock({ freeze: true, start: Date.parse('2026-11-20T18:00:00Z') });
  sim = await Qbo.startQuickbooksSimulator({ clock });
  const { client, realmId } = await connectQbo(sim);
  api = qboApi(client, sim.url, realmId);
});
afterEach(async () => sim.close());
afterAll(restoreStatics);

/** Adds whole days to a YYYY-MM-DD date. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The invoice DealBooks builds from "ABC LLC - Schematic design" (deal 1651.50: 1 x 1200 + 3 x 150.50). */
function dealInvoice(customerId: string, dealId: string) {
  return {
    CustomerRef: { value: customerId },
    Line: [
      { DetailType: 'SalesItemLineDetail', Amount: 1200, Description: 'Schematic Design Fee', SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: 1200, TaxCodeRef: { value: 'NON' }, ClassRef: { value: '1' } } },
      { DetailType: 'SalesItemLineDetail', Amount: 451.5, Description: 'Printed plans', SalesItemLineDetail: { ItemRef: { value: '4' }, Qty: 3, UnitPrice: 150.5, TaxCodeRef: { value: 'TAX' }, ClassRef: { value: '1' } } },
      { DetailType: 'DiscountLineDetail', Amount: 165.15, DiscountLineDetail: { PercentBased: true, DiscountPercent: 10, DiscountAccountRef: { value: '3' } } },
    ],
    TxnTaxDetail: { TxnTaxCodeRef: { value: '2' } },
    SalesTermRef: { value: '3' },
    ClassRef: { value: '1' },
    BillEmail: { Address: 'billing@abcllc.example' },
    PrivateNote: `DealBooks: HubSpot deal ${dealId}`,
    CustomField: [{ DefinitionId: '1', Name: 'Deal ID', Type: 'StringType', StringValue: dealId }],
  };
}

describe('Quote to cash in QuickBooks', () => {
  it('When DealBooks looks a customer up by email and by a DisplayName with apostrophes, then the backslash-escaped query finds it', async () => {
    const byEmail = await api.query('Customer', `SELECT * FROM Customer WHERE PrimaryEmailAddr = ${qboLiteral('billing@abcllc.example')}`);
    expect(byEmail.map((c) => c.DisplayName)).toEqual(['ABC LLC']);

    const name = "O'Brien's Bakery";
    expect(await api.query('Customer', `SELECT * FROM Customer WHERE DisplayName = ${qboLiteral(name)}`)).toEqual([]);
    const { Customer: created } = await api.post('/customer', { DisplayName: name, CompanyName: name, PrimaryEmailAddr: { Address: 'ap@obriens.example' } });
    expect(created).toMatchObject({ DisplayName: name, Active: true, SyncToken: '0' });

    const found = await api.query('Customer', `SELECT * FROM Customer WHERE DisplayName = ${qboLiteral(name)}`);
    expect(found.map((c) => c.Id)).toEqual([created.Id]);
  });

  it('When the name belongs to a vendor or an inactive customer, then create fails with 6240 and DealBooks can tell which', async () => {
    const duplicate = await api.post('/customer', { DisplayName: 'Northwind Traders' }).catch((e: unknown) => e);
    // intuit-oauth maps a 400 Fault to an error whose code is the Fault's first error code.
    expect(duplicate).toMatchObject({ code: '6240', faultType: 'ValidationFault', message: 'Duplicate Name Exists Error' });
    expect((duplicate as { intuitTid?: string }).intuitTid).toEqual(expect.any(String));

    const asVendor = await api.query('Vendor', `SELECT * FROM Vendor WHERE DisplayName = ${qboLiteral('Northwind Traders')}`);
    expect(asVendor).toHaveLength(1);
    // The inactive customer is hidden from a default query but found with Active = false.
    expect(await api.query('Customer', `SELECT * FROM Customer WHERE DisplayName = ${qboLiteral('Old Mill Bakery')}`)).toEqual([]);
    const inactive = await api.query('Customer', `SELECT * FROM Customer WHERE DisplayName = ${qboLiteral('Old Mill Bakery')} AND Active = false`);
    expect(inactive.map((c) => c.Active)).toEqual([false]);

    // DealBooks' fallback: a distinguishing suffix.
    const { Customer: created } = await api.post('/customer', { DisplayName: 'Northwind Traders (Customer)', CompanyName: 'Northwind Traders' });
    expect(created.DisplayName).toBe('Northwind Traders (Customer)');
  });

  it('When DealBooks searches names with LIKE and an apostrophe, then the escaped pattern matches', async () => {
    await api.post('/customer', { DisplayName: "O'Brien's Bakery" });
    const found = await api.query('Customer', `SELECT * FROM Customer WHERE DisplayName LIKE ${qboLiteral("O'Brien%")}`);
    expect(found.map((c) => c.DisplayName)).toEqual(["O'Brien's Bakery"]);
  });

  it('When DealBooks matches products to items, then it finds them by Name and by Sku', async () => {
    const byName = await api.query('Item', `SELECT * FROM Item WHERE Name = ${qboLiteral('Schematic Design Fee')}`);
    expect(byName.map((i) => i.Id)).toEqual(['1']);

    const { Item: item } = await api.post('/item', { Name: 'Site Visit', Sku: 'SV-1', Type: 'Service', UnitPrice: 150.5, IncomeAccountRef: { value: '1' } });
    expect(item).toMatchObject({ Sku: 'SV-1', UnitPrice: 150.5 });
    const bySku = await api.query('Item', `SELECT * FROM Item WHERE Sku = ${qboLiteral('SV-1')}`);
    expect(bySku.map((i) => i.Id)).toEqual([item.Id]);
  });

  it('When DealBooks creates the invoice with a requestid and retries it, then one invoice exists with the right totals, terms, class and custom field', async () => {
    const body = dealInvoice('1', '30000000011');
    const { Invoice: invoice } = await api.post('/invoice', body, { requestid: 'deal-30000000011-v1' });

    expect(invoice).toMatchObject({
      CustomerRef: { value: '1' },
      SalesTermRef: { value: '3' },
      ClassRef: { value: '1' },
      BillEmail: { Address: 'billing@abcllc.example' },
      PrivateNote: 'DealBooks: HubSpot deal 30000000011',
      DocNumber: expect.any(String),
      EmailStatus: 'NotSet',
    });
    expect(invoice.CustomField).toEqual(expect.arrayContaining([expect.objectContaining({ DefinitionId: '1', StringValue: '30000000011' })]));
    // US sales tax: 8.25 % on the taxable line (451.50), after the discount's share when ApplyTaxAfterDiscount.
    const taxableCents = invoice.ApplyTaxAfterDiscount ? 45150 - Math.round(45150 * 0.1) : 45150;
    const taxCents = Math.round((taxableCents * 825) / 10000);
    expect(Math.round(invoice.TxnTaxDetail.TotalTax * 100)).toBe(taxCents);
    expect(Math.round(invoice.TotalAmt * 100)).toBe(165150 - 16515 + taxCents);
    expect(invoice.Balance).toBe(invoice.TotalAmt);
    expect(invoice.TxnDate).toBe('2026-11-20');
    expect(invoice.DueDate).toBe(addDays(invoice.TxnDate as string, 30));

    // The job crashed before saving the id: the retry carries the same requestid and gets the same invoice.
    const { Invoice: replay } = await api.post('/invoice', body, { requestid: 'deal-30000000011-v1' });
    expect(replay.Id).toBe(invoice.Id);
    const count = await api.get<{ QueryResponse: { totalCount: number } }>('/query', { query: 'SELECT COUNT(*) FROM Invoice' });
    expect(count.QueryResponse.totalCount).toBe(1);
  });

  it('When DealBooks sends the invoice and asks for its link, then EmailStatus is EmailSent and InvoiceLink is present', async () => {
    const { Invoice: invoice } = await api.post('/invoice', dealInvoice('1', '30000000011'));
    // Intuit: POST /invoice/{id}/send with Content-Type application/octet-stream and no body.
    const sent = await api.post(`/invoice/${invoice.Id}/send`, undefined, {}, { 'Content-Type': 'application/octet-stream' });
    expect(sent.Invoice).toMatchObject({ Id: invoice.Id, EmailStatus: 'EmailSent' });

    const { Invoice: withLink } = await api.get(`/invoice/${invoice.Id}`, { include: 'invoiceLink' });
    expect(withLink.InvoiceLink).toMatch(/^https?:\/\//);
  });

  it('When it is already tomorrow in UTC but still today in the company, then a new invoice is dated the company day', async () => {
    await clock.advance(9 * 3600 * 1000); // 2026-11-21T03:00Z is 2026-11-20 19:00 at UTC-08:00
    await api.client.refresh(); // nine hours: the access token has expired
    const { Invoice: invoice } = await api.post('/invoice', dealInvoice('1', 'z'));
    expect(invoice.TxnDate).toBe('2026-11-20');
    expect(invoice.DueDate).toBe('2026-12-20');
  });

  it('When an estimate is converted by an invoice that links it, then the estimate reads Closed and links back to the invoice', async () => {
    const lines = dealInvoice('1', 'x').Line.slice(0, 1);
    const { Estimate: estimate } = await api.post('/estimate', { CustomerRef: { value: '1' }, Line: lines });
    expect(estimate.TxnStatus).toBe('Pending');

    const { Invoice: invoice } = await api.post('/invoice', { CustomerRef: { value: '1' }, Line: lines, LinkedTxn: [{ TxnId: estimate.Id, TxnType: 'Estimate' }] });
    expect(invoice.LinkedTxn).toEqual([expect.objectContaining({ TxnId: estimate.Id, TxnType: 'Estimate' })]);

    const { Estimate: after } = await api.get(`/estimate/${estimate.Id}`);
    expect(after.TxnStatus).toBe('Closed');
    expect(after.LinkedTxn).toEqual([expect.objectContaining({ TxnId: invoice.Id, TxnType: 'Invoice' })]);
  });

  it('When the invoice would be dated inside closed books, then QBO refuses it with a fault DealBooks can report', async () => {
    await fetch(`${sim.url}/_sim/quickbooks/companies/${Qbo.DEMO_REALM_ID}/preferences`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ AccountingInfoPrefs: { BookCloseDate: '2026-10-31' } }),
    });
    const error = await api.post('/invoice', { ...dealInvoice('1', 'y'), TxnDate: '2026-10-15' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ faultType: 'ValidationFault', code: expect.stringMatching(/^(6000|5010)$/) });
  });
});
