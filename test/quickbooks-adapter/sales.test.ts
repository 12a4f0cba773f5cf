import { QuickbooksApiError } from '../../server/src/quickbooks/api';
import { qboQuote, queryAll } from '../../server/src/quickbooks/query';
import { DuplicateNameError } from '../../server/src/quickbooks/sales';
import { estimateStatus, invoiceStatus } from '../../server/src/sync/document-status';
import { DATABASE_KIND } from '../support/harness';
import { useQboWorld } from './support';

/**
 * The QBO adapter against the QBO simulator over real HTTP, with a real connection: customers (found by email,
 * created within the field rules, duplicate names), items, terms, tax codes, classes, preferences, and invoices
 * and estimates created exactly once.
 */
describe(`QuickBooks sales adapter (${DATABASE_KIND})`, () => {
  const q = useQboWorld();
  afterEach(() => q.sim('DELETE', '/faults'));

  const line = (itemId: string, qty: number, unitPrice: number) => ({
    DetailType: 'SalesItemLineDetail',
    Amount: Math.round(qty * unitPrice * 100) / 100,
    SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: qty, UnitPrice: unitPrice, TaxCodeRef: { value: 'NON' } },
  });
  const invoiceBody = (customerId: string, marker: string, lines = [line('1', 2, 2500)]) => ({
    CustomerRef: { value: customerId },
    Line: lines,
    PrivateNote: `Created by DealBooks for HubSpot deal ${marker}`,
    BillEmail: { Address: 'billing@abcllc.example' },
  });

  describe('customers', () => {
    it('When a customer is looked up by email in another case, then exactly that customer comes back', async () => {
      const found = await q.sales.customersByEmail(q.portalId, 'BILLING@abcllc.example');
      expect(found.map((c) => [c.id, c.displayName, c.email])).toEqual([['1', 'ABC LLC', 'billing@abcllc.example']]);
      expect(await q.sales.customersByEmail(q.portalId, 'nobody@nowhere.example')).toEqual([]);
    });

    it('When all customers are listed, then the inactive one shows only when asked for', async () => {
      const active = await q.sales.allCustomers(q.portalId);
      expect(active.map((c) => c.displayName)).toEqual(expect.arrayContaining(['ABC LLC', 'ABC, LLC', 'ABC Inc']));
      expect(active.map((c) => c.displayName)).not.toContain('Old Mill Bakery');
      const all = await q.sales.allCustomers(q.portalId, { includeInactive: true });
      expect(all.find((c) => c.displayName === 'Old Mill Bakery')).toMatchObject({ id: '4', active: false });
    });

    it('When a customer is read by id, then it comes back; an unknown id reads as null', async () => {
      expect(await q.sales.customer(q.portalId, '3')).toEqual({
        id: '3',
        displayName: 'ABC Inc',
        companyName: 'ABC Inc',
        email: 'accounts@abcinc.example',
        active: true,
        currency: 'USD',
        syncToken: '0',
        job: false,
        parentId: null,
        termId: '2', // ABC Inc pays on Net 15 (the demo seed), which DealBooks uses when its settings name no terms
      });
      expect(await q.sales.customer(q.portalId, '99999')).toBeNull();
    });

    it("When a customer named O'Brien is created, then QBO holds it and a quoted query finds it by name", async () => {
      const { customer, intuitTid } = await q.sales.createCustomer(
        q.portalId,
        {
          displayName: "O'Brien's Bakery",
          companyName: "O'Brien's Bakery",
          givenName: 'Siobhan',
          familyName: "O'Brien",
          email: 'siobhan@obriens.example',
          phone: '+353 1 555 0100',
          billAddr: { line1: '1 Quay St', city: 'Galway', countrySubDivisionCode: 'G', postalCode: 'H91', country: 'IE' },
          notes: 'Created by DealBooks from HubSpot company 12.',
          currency: 'USD',
        },
        'cust-obrien-1',
      );
      expect(intuitTid).toBeTruthy();
      expect(customer).toMatchObject({ displayName: "O'Brien's Bakery", email: 'siobhan@obriens.example', active: true, job: false });
      const byName = await queryAll(q.world.ctx.quickbooks.api, q.portalId, 'Customer', `DisplayName = ${qboQuote("O'Brien's Bakery")}`);
      expect(byName.map((c) => c.Id)).toEqual([customer.id]);
      expect(byName[0]).toMatchObject({ BillAddr: { Line1: '1 Quay St', City: 'Galway', Country: 'IE' }, PrimaryPhone: { FreeFormNumber: '+353 1 555 0100' } });
      expect((await q.sales.customersByEmail(q.portalId, 'siobhan@obriens.example')).map((c) => c.id)).toEqual([customer.id]);
    });

    it('When the same create is sent twice with one requestid, then QBO holds one customer and both answers name it', async () => {
      const input = { displayName: 'Replay Roofing', email: 'ap@replay.example' };
      const first = await q.sales.createCustomer(q.portalId, input, 'cust-replay-1');
      const second = await q.sales.createCustomer(q.portalId, input, 'cust-replay-1');
      expect(second.customer.id).toBe(first.customer.id);
      expect((await q.stored('Customer')).filter((c) => c.DisplayName === 'Replay Roofing')).toHaveLength(1);
      const posts = await q.apiRequests('/customer', 'POST');
      expect(posts.filter((r) => r.query.requestid === 'cust-replay-1')).toHaveLength(2);
    });

    it("When the name is a vendor's, then a DuplicateNameError says so and offers no customer", async () => {
      const error = await q.sales.createCustomer(q.portalId, { displayName: 'Northwind Traders' }, 'cust-northwind-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateNameError);
      const duplicate = error as DuplicateNameError;
      expect(duplicate.displayName).toBe('Northwind Traders');
      expect(duplicate.existing).toBeNull();
      expect(duplicate.apiError.code).toBe('6240');
      expect(duplicate.apiError.intuitTid).toBeTruthy();
      expect(duplicate.message).toContain('vendor');
    });

    it('When the name is an active customer’s, then the DuplicateNameError carries that customer', async () => {
      const error = (await q.sales.createCustomer(q.portalId, { displayName: 'ABC LLC', email: 'x@abc.example' }, 'cust-abc-1').catch((e: unknown) => e)) as DuplicateNameError;
      expect(error).toBeInstanceOf(DuplicateNameError);
      expect(error.existing).toMatchObject({ id: '1', displayName: 'ABC LLC', email: 'billing@abcllc.example' });
    });

    it('When the name is held by an inactive customer, then the DuplicateNameError offers no customer', async () => {
      const error = (await q.sales.createCustomer(q.portalId, { displayName: 'Old Mill Bakery' }, 'cust-mill-1').catch((e: unknown) => e)) as DuplicateNameError;
      expect(error).toBeInstanceOf(DuplicateNameError);
      expect(error.existing).toBeNull();
    });

    it('When HubSpot data breaks QBO field rules, then the customer is still created, cut to fit and without the bad email', async () => {
      const { customer } = await q.sales.createCustomer(
        q.portalId,
        { displayName: `Long: ${'N'.repeat(600)}`, companyName: 'C'.repeat(150), email: 'jane at example', notes: 'n'.repeat(2500), phone: '1'.repeat(40) },
        'cust-long-1',
      );
      expect(customer.displayName).toHaveLength(500);
      expect(customer.displayName.startsWith('Long - NNN')).toBe(true);
      expect(customer.email).toBeNull();
      expect(customer.companyName).toHaveLength(100);
    });

    it('When a project is created under a customer, then it is a sub-customer billed with its parent', async () => {
      const { customer } = await q.sales.createCustomer(q.portalId, { displayName: 'ABC LLC - Deal 42', parentId: '1' }, 'cust-project-1');
      expect(customer).toMatchObject({ job: true, parentId: '1' });
      const stored = (await q.stored('Customer')).find((c) => c.Id === customer.id);
      expect(stored).toMatchObject({ BillWithParent: true, FullyQualifiedName: 'ABC LLC:ABC LLC - Deal 42' });
    });
  });

  describe('lists and settings', () => {
    it('When items are listed, then the active sellable items come back with exact prices, and no category', async () => {
      await q.store('Item', { Name: 'Services folder', Type: 'Category', Active: true });
      await q.store('Item', { Name: 'Retired service', Type: 'Service', Active: false, UnitPrice: 10 });
      const items = await q.sales.allItems(q.portalId);
      expect(items.map((i) => [i.id, i.name, i.type, i.unitPrice, i.taxable])).toEqual([
        ['1', 'Schematic Design Fee', 'Service', '2500', false],
        ['2', 'SD Fee', 'Service', '2500', false],
        ['3', 'Hours', 'Service', '150', false],
        ['4', 'Printed Plans', 'NonInventory', '45', true],
      ]);
      expect(await q.sales.item(q.portalId, '4')).toMatchObject({ name: 'Printed Plans', taxable: true });
      expect(await q.sales.item(q.portalId, '999')).toBeNull();
    });

    it('When terms, tax codes and classes are listed, then they are the company’s', async () => {
      expect(await q.sales.terms(q.portalId)).toEqual([
        { id: '1', name: 'Due on receipt', dueDays: 0, dayOfMonthDue: null, active: true },
        { id: '2', name: 'Net 15', dueDays: 15, dayOfMonthDue: null, active: true },
        { id: '3', name: 'Net 30', dueDays: 30, dayOfMonthDue: null, active: true },
      ]);
      const taxCodes = await q.sales.taxCodes(q.portalId);
      expect(taxCodes).toEqual(
        expect.arrayContaining([
          { id: 'TAX', name: 'TAX', taxable: true, active: true },
          { id: 'NON', name: 'NON', taxable: false, active: true },
        ]),
      );
      expect(await q.sales.classes(q.portalId)).toEqual([
        { id: '1', name: 'Consulting', ownName: 'Consulting', active: true },
        { id: '2', name: 'Design', ownName: 'Design', active: true },
      ]);
    });

    it('When preferences are read, then the switches the engine needs come back, a closed period included', async () => {
      expect(await q.sales.preferences(q.portalId)).toEqual({
        allowEstimates: true,
        defaultTermId: '3',
        customTxnNumbers: false,
        usingSalesTax: true,
        bookCloseDate: null,
        classTracking: true, // the demo company tracks classes per transaction (its preferences fixture)
        homeCurrency: 'USD',
        multicurrency: false,
        utcOffsetMinutes: -480, // the simulated company's zone, as the envelope `time` prints it
        dealIdFieldId: '1', // the demo company's sales-form custom field 1 is "Deal ID" (test/simulators/quickbooks/seed.ts)
      });
      await q.sim('PATCH', `/quickbooks/companies/${q.realmId}/preferences`, { AccountingInfoPrefs: { BookCloseDate: '2025-12-31' } });
      expect((await q.sales.preferences(q.portalId)).bookCloseDate).toBe('2025-12-31');
      await q.sim('PATCH', `/quickbooks/companies/${q.realmId}/preferences`, { AccountingInfoPrefs: { BookCloseDate: null } });
      expect((await q.sales.preferences(q.portalId)).bookCloseDate).toBeNull();
      // Class tracking is on when either switch is: per transaction or per line.
      await q.sim('PATCH', `/quickbooks/companies/${q.realmId}/preferences`, { AccountingInfoPrefs: { ClassTrackingPerTxn: false, ClassTrackingPerTxnLine: false } });
      expect((await q.sales.preferences(q.portalId)).classTracking).toBe(false);
      await q.sim('PATCH', `/quickbooks/companies/${q.realmId}/preferences`, { AccountingInfoPrefs: { ClassTrackingPerTxnLine: true } });
      expect((await q.sales.preferences(q.portalId)).classTracking).toBe(true);
    });
  });

  describe('invoices and estimates', () => {
    it('When an invoice is created, then the document has exact cents, a number, a status and a link into QBO', async () => {
      const created = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('1', 'inv-basic'), 'inv-basic-1');
      const doc = created.document;
      expect(created.intuitTid).toBeTruthy();
      expect(created.raw.Id).toBe(doc.id);
      expect(doc).toMatchObject({ kind: 'invoice', customerId: '1', totalCents: 500_000, balanceCents: 500_000, taxCents: 0, txnStatus: null, billEmail: 'billing@abcllc.example' });
      expect(doc.docNumber).toMatch(/^\d+$/);
      expect(doc.webUrl).toBe(`${q.appBase}/app/invoice?txnId=${doc.id}`);
      expect(invoiceStatus(doc, doc.txnDate)).toBe('open');
      const read = await q.sales.readDocument(q.portalId, 'invoice', doc.id);
      expect(read?.document).toEqual(doc);
      expect(await q.sales.readDocument(q.portalId, 'invoice', '99999')).toBeNull();
    });

    it('When an invoice create is repeated with its requestid, then QBO holds one invoice', async () => {
      const first = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('2', 'inv-replay'), 'inv-replay-1');
      const second = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('2', 'inv-replay'), 'inv-replay-1');
      expect(second.document.id).toBe(first.document.id);
      expect((await q.stored('Invoice')).filter((i) => String(i.PrivateNote).includes('inv-replay'))).toHaveLength(1);
    });

    it('When the answer to an invoice create is lost, then the error says the outcome is unknown and the marker finds the invoice', async () => {
      await q.world.control('quickbooks', '/faults', { path: '/invoice', method: 'POST', kind: 'reset', after: true });
      const error = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('3', 'deal-lost-1'), 'inv-lost-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuickbooksApiError);
      expect(error).toMatchObject({ status: 0, outcomeUnknown: true, retryable: true, message: 'the connection to QuickBooks was reset' });
      const found = await q.sales.findDocumentByMarker(q.portalId, 'invoice', { customerId: '3', marker: 'deal-lost-1' });
      expect(found).toMatchObject({ customerId: '3', totalCents: 500_000 });
      expect(found?.privateNote).toContain('deal-lost-1');
      // Writing again with the same requestid replays the first answer instead of a second invoice.
      const retried = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('3', 'deal-lost-1'), 'inv-lost-1');
      expect(retried.document.id).toBe(found!.id);
      expect((await q.stored('Invoice')).filter((i) => String(i.PrivateNote).includes('deal-lost-1'))).toHaveLength(1);
      expect(await q.sales.findDocumentByMarker(q.portalId, 'invoice', { customerId: '3', marker: 'deal-never-made' })).toBeNull();
    });

    it('When the marked invoice is older than a page of newer ones, then the search reads on until it finds it, and prefers the newest match', async () => {
      const customer = (await q.sales.createCustomer(q.portalId, { displayName: 'Busy Buyer Ltd' }, 'cust-busy-1')).customer;
      const stored = (note: string) => q.store('Invoice', { CustomerRef: { value: customer.id }, TxnDate: '2026-01-02', TotalAmt: 10, Balance: 10, PrivateNote: note, Line: [] });
      const oldest = await stored('HubSpot deal busy-7');
      for (let i = 0; i < 100; i++) {
        await q.world.clock.advance(1000);
        await stored(`HubSpot deal other-${i}`);
      }
      const before = (await q.apiRequests('/query', 'GET')).length;
      const found = await q.sales.findDocumentByMarker(q.portalId, 'invoice', { customerId: customer.id, marker: 'busy-7' });
      expect(found?.id).toBe(oldest.Id);
      const queries = (await q.apiRequests('/query', 'GET')).slice(before).map((r) => r.query.query);
      expect(queries).toEqual([
        `SELECT * FROM Invoice WHERE CustomerRef = '${customer.id}' ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 100`,
        `SELECT * FROM Invoice WHERE CustomerRef = '${customer.id}' ORDERBY MetaData.CreateTime DESC STARTPOSITION 101 MAXRESULTS 100`,
      ]);
      await q.world.clock.advance(1000);
      const newer = await stored('HubSpot deal busy-7 (second attempt)');
      expect((await q.sales.findDocumentByMarker(q.portalId, 'invoice', { customerId: customer.id, marker: 'busy-7' }))?.id).toBe(newer.Id);
    });

    it('When an estimate is created and then converted, then it reads pending, then converted', async () => {
      const estimate = await q.sales.createDocument(q.portalId, 'estimate', { ...invoiceBody('1', 'est-1'), ExpirationDate: '2099-01-31' }, 'est-1');
      expect(estimate.document).toMatchObject({ kind: 'estimate', txnStatus: 'Pending', balanceCents: null, expirationDate: '2099-01-31' });
      expect(estimate.document.webUrl).toBe(`${q.appBase}/app/estimate?txnId=${estimate.document.id}`);
      expect(estimateStatus(estimate.document)).toBe('pending');
      const invoice = await q.sales.createDocument(
        q.portalId,
        'invoice',
        { ...invoiceBody('1', 'est-1-invoice'), LinkedTxn: [{ TxnId: estimate.document.id, TxnType: 'Estimate' }] },
        'est-1-convert',
      );
      expect(invoice.document.linked).toEqual([{ id: estimate.document.id, type: 'Estimate' }]);
      const after = await q.sales.readDocument(q.portalId, 'estimate', estimate.document.id);
      expect(after?.document.linked).toEqual([{ id: invoice.document.id, type: 'Invoice' }]);
      expect(estimateStatus(after!.document)).toBe('converted');
    });

    it('When an invoice is sent, then QBO marks it EmailSent, and the request went as an octet-stream', async () => {
      const { document } = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('1', 'inv-send'), 'inv-send-1');
      expect(document.emailStatus).not.toBe('EmailSent');
      const sent = await q.sales.sendInvoice(q.portalId, document.id, 'ap@abcllc.example');
      expect(sent).toMatchObject({ id: document.id, emailStatus: 'EmailSent', billEmail: 'ap@abcllc.example' });
      const [request] = await q.apiRequests(`/invoice/${document.id}/send`, 'POST');
      expect(request?.headers['content-type']).toBe('application/octet-stream');
      expect(request?.query.sendTo).toBe('ap@abcllc.example');
      const again = await q.sales.sendInvoice(q.portalId, document.id, null);
      expect(again.billEmail).toBe('ap@abcllc.example');
    });

    it('When the payer link is asked for, then an invoice with an email has one and one without has none', async () => {
      const withEmail = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('1', 'inv-link'), 'inv-link-1');
      expect(await q.sales.invoiceLink(q.portalId, withEmail.document.id)).toMatch(new RegExp(`/pay/${q.realmId}/${withEmail.document.id}$`));
      const { BillEmail: _none, ...noEmail } = invoiceBody('1', 'inv-nolink');
      const without = await q.sales.createDocument(q.portalId, 'invoice', noEmail, 'inv-nolink-1');
      expect(await q.sales.invoiceLink(q.portalId, without.document.id)).toBeNull();
      expect(await q.sales.invoiceLink(q.portalId, '99999')).toBeNull();
    });

    it('When QBO refuses an invoice (unknown customer), then the error is final and names the code', async () => {
      const error = await q.sales.createDocument(q.portalId, 'invoice', invoiceBody('99999', 'inv-bad'), 'inv-bad-1').catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, code: '610', retryable: false, outcomeUnknown: false, faultType: 'ValidationFault' });
    });
  });
});
