import { createThroughCard, hubspotRecord, makeDeal, useQ2C, type DocumentKind, type Q2C } from './support';

/**
 * The QBO invoice (and estimate) built from a deal: quantities, prices and discounts such that QBO's
 * pre-tax total equals the deal's line-item total to the cent; tax codes per line; class; terms and due date; memo;
 * a private note naming the HubSpot deal; the bill email of the deal's contact. Driven from the card, then read back
 * from QBO's books. QBO demo books (test/simulators/quickbooks/seed.ts): item 3 "Hours" (not taxable), item 4
 * "Printed Plans" (taxable); terms 1 Due on receipt, 2 Net 15, 3 Net 30 (the company default); class 2 "Design";
 * sales tax 8.25%; customer 3 "ABC Inc" has its own terms, Net 15.
 */

const ITEM = { hours: '3', printedPlans: '4' };
const TERM = { net15: '2', net30: '3' };
const DESIGN_CLASS = '2';

/**
 * Line items whose amounts are awkward in binary floating point or need rounding, and what each adds to the deal,
 * worked out by hand (HubSpot: price x quantity and the discount are each rounded to the cent, half away from zero).
 */
const AWKWARD_LINES: Array<{ props: Record<string, string>; cents: number }> = [
  { props: { name: 'Modelling hours', price: '33.33', quantity: '3' }, cents: 9999 },
  { props: { name: 'Ten cents', price: '0.1', quantity: '1' }, cents: 10 },
  { props: { name: 'Twenty cents', price: '0.2', quantity: '1' }, cents: 20 },
  // 7 x 19.99 = 139.93; 15% of it = 20.9895 -> 20.99
  { props: { name: 'Permit drawings', price: '19.99', quantity: '7', hs_discount_percentage: '15' }, cents: 11894 },
  // 3 x 120 = 360; 12.50 off each unit = 37.50
  { props: { name: 'Site visits', price: '120', quantity: '3', discount: '12.5' }, cents: 32250 },
  { props: { name: 'Courtesy visit', price: '0', quantity: '2' }, cents: 0 },
  // 1.5 x 33.33 = 49.995 -> 50.00
  { props: { name: 'Half-day survey', price: '33.33', quantity: '1.5' }, cents: 5000 },
  // Sold as the taxable item "Printed Plans" (matched by name); 3 x 45 = 135, 10% off = 121.50
  { props: { name: 'Printed plans', price: '45', quantity: '3', hs_discount_percentage: '10' }, cents: 12150 },
];
const AWKWARD_TOTAL_CENTS = 71323;
const TAXABLE_CENTS = 12150;

/** Presses the card's button for the document, runs the queued work, and returns the summary and the QBO document. */
async function create(q: Q2C, dealId: string, kind: DocumentKind): Promise<{ summary: any; document: any }> {
  const { summary, documents } = await createThroughCard(q, dealId, kind);
  expect(documents[0]).toBeDefined();
  return { summary, document: documents[0] };
}

const cents = (amount: number) => Math.round(amount * 100);
const preTaxCents = (doc: any) => cents(doc.TotalAmt) - cents(doc.TxnTaxDetail?.TotalTax ?? 0);
const itemLines = (doc: any) => doc.Line.filter((l: any) => l.DetailType === 'SalesItemLineDetail');

function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('Document building: what the deal says is what QuickBooks gets', () => {
  const memoTemplate = 'Thank you for {{dealName}}, {{ companyName }} (attn. {{contactName}}), closed {{closeDate}}.';
  const q = useQ2C({
    settings: {
      defaultItemId: ITEM.hours,
      taxCodes: { taxable: 'TAX', nonTaxable: 'NON' },
      classId: DESIGN_CLASS,
      termId: TERM.net15,
      memoTemplate,
    },
  });

  it('When line items have awkward amounts (3 x 33.33, 0.10 + 0.20, 15% and per-unit discounts, a zero price, quantity 1.5), then the QuickBooks pre-tax total equals the line-item total to the cent, as the preview said', async () => {
    const { dealId, lineIds } = await makeDeal(q, { name: 'Awkward amounts', company: 'Awkward Amounts Ltd', lines: AWKWARD_LINES.map((l) => l.props) });
    expect(AWKWARD_LINES.reduce((sum, l) => sum + l.cents, 0)).toBe(AWKWARD_TOTAL_CENTS);
    // HubSpot's own line amounts (what the rep sees on the deal) agree with the hand-worked ones.
    const hubspotAmounts = await Promise.all(lineIds.map(async (id) => (await hubspotRecord(q, 'line_items', id)).properties.amount));
    expect(hubspotAmounts.map((amount: string) => cents(Number(amount)))).toEqual(AWKWARD_LINES.map((l) => l.cents));

    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.document.totalCents).toBe(AWKWARD_TOTAL_CENTS);
    expect(preview.body.document.lineItemsTotalCents).toBe(AWKWARD_TOTAL_CENTS);
    expect(preview.body.document.lines.map((l: any) => l.amountCents)).toEqual(AWKWARD_LINES.map((l) => l.cents));

    const { summary, document: invoice } = await create(q, dealId, 'invoice');
    expect(preTaxCents(invoice)).toBe(AWKWARD_TOTAL_CENTS);
    expect(itemLines(invoice).reduce((sum: number, l: any) => sum + cents(l.Amount), 0)).toBe(AWKWARD_TOTAL_CENTS);
    expect(summary.invoices[0].totalCents).toBe(cents(invoice.TotalAmt));
    expect(summary.problems).toEqual([]);
    // The quantity a person sold stays on the invoice (1.5, not 1 x 50.00).
    expect(itemLines(invoice).find((l: any) => String(l.Description).startsWith('Half-day survey')).SalesItemLineDetail).toMatchObject({ Qty: 1.5, UnitPrice: 33.33 });
  });

  it('When some lines are taxable and some are not, then each line carries the tax code from settings, discounts follow their line, tax falls on the discounted amount, and every line has the class', async () => {
    const { dealId } = await makeDeal(q, { name: 'Taxed plans', company: 'Taxed Plans Inc', lines: AWKWARD_LINES.map((l) => l.props) });
    const { document: invoice } = await create(q, dealId, 'invoice');
    for (const line of itemLines(invoice)) {
      const expected = line.SalesItemLineDetail.ItemRef.value === ITEM.printedPlans ? 'TAX' : 'NON';
      expect([line.Description, line.SalesItemLineDetail.TaxCodeRef?.value]).toEqual([line.Description, expected]);
      expect([line.Description, line.SalesItemLineDetail.ClassRef?.value]).toEqual([line.Description, DESIGN_CLASS]);
    }
    expect(itemLines(invoice).filter((l: any) => l.SalesItemLineDetail.TaxCodeRef.value === 'TAX')).toHaveLength(2);
    const taxLine = invoice.TxnTaxDetail.TaxLine[0].TaxLineDetail;
    expect(cents(taxLine.NetAmountTaxable)).toBe(TAXABLE_CENTS);
    // 8.25% of 121.50 = 10.02375
    expect(cents(invoice.TxnTaxDetail.TotalTax)).toBe(1002);
    expect(cents(invoice.TotalAmt)).toBe(AWKWARD_TOTAL_CENTS + 1002);
  });

  it("When terms, a memo template and contacts are set, then the invoice has the terms and their due date, the rendered memo, a private note naming the HubSpot deal, and the company contact's email as bill email", async () => {
    const { dealId } = await makeDeal(q, {
      name: 'Gable & Grove fit-out',
      company: 'Gable & Grove',
      // The deal's first contact is an outside agent; the company's own contact is the one to bill.
      contacts: [
        { firstname: 'Otto', lastname: 'Agent', email: 'otto@agency.example' },
        { firstname: 'Greta', lastname: 'Grove', email: 'greta@gablegrove.example', ofCompany: true },
      ],
      lines: [{ name: 'Fit-out design', price: '1250', quantity: '2' }],
      closeDate: '2026-11-20T00:00:00.000Z',
    });
    const preview = (await q.card('GET', `/api/deals/${dealId}/preview`)).body.document;
    const { summary, document: invoice } = await create(q, dealId, 'invoice');

    expect(invoice.TxnDate).toBe('2026-11-20');
    expect(invoice.SalesTermRef?.value).toBe(TERM.net15);
    expect(invoice.DueDate).toBe('2026-12-05');
    expect(summary.invoices[0].dueDate).toBe('2026-12-05');
    expect(preview).toMatchObject({ txnDate: '2026-11-20', dueDate: '2026-12-05', terms: { id: TERM.net15, name: 'Net 15' } });

    const memo = 'Thank you for Gable & Grove fit-out, Gable & Grove (attn. Greta Grove), closed 2026-11-20.';
    expect(invoice.CustomerMemo?.value).toBe(memo);
    expect(preview.memo).toBe(memo);
    expect(invoice.PrivateNote).toContain(`HubSpot deal "Gable & Grove fit-out" (deal ${dealId}, HubSpot account ${q.portalId})`);
    expect(invoice.BillEmail?.Address).toBe('greta@gablegrove.example');
    expect(preview.billEmail).toBe('greta@gablegrove.example');
  });

  it('When an estimate is created from the card, then it is built the same way as the invoice: the same lines, tax codes, class, totals, memo and bill email, and no terms', async () => {
    const { dealId } = await makeDeal(q, {
      name: 'Estimate first',
      company: 'Estimate First LLP',
      contacts: [{ firstname: 'Esti', lastname: 'Mate', email: 'esti@estimatefirst.example', ofCompany: true }],
      lines: AWKWARD_LINES.map((l) => l.props),
    });
    const preview = (await q.card('GET', `/api/deals/${dealId}/preview?kind=estimate`)).body;
    expect(preview.problems).toEqual([]);
    expect(preview.document).toMatchObject({ kind: 'estimate', totalCents: AWKWARD_TOTAL_CENTS, terms: null, dueDate: null });

    const { summary, document: estimate } = await create(q, dealId, 'estimate');
    expect(preTaxCents(estimate)).toBe(AWKWARD_TOTAL_CENTS);
    expect(summary.estimates[0].totalCents).toBe(cents(estimate.TotalAmt));
    expect(estimate.SalesTermRef).toBeUndefined();
    expect(estimate.BillEmail?.Address).toBe('esti@estimatefirst.example');
    expect(estimate.CustomerMemo?.value).toBe('Thank you for Estimate first, Estimate First LLP (attn. Esti Mate), closed 2026-11-20.');
    expect(estimate.PrivateNote).toContain(`HubSpot deal "Estimate first" (deal ${dealId}, HubSpot account ${q.portalId})`);

    // The same deal's invoice, made afterwards, has line for line what the estimate has.
    const { document: invoice } = await create(q, dealId, 'invoice');
    const comparable = (doc: any) =>
      itemLines(doc).map((l: any) => ({
        amount: l.Amount,
        description: l.Description,
        item: l.SalesItemLineDetail.ItemRef.value,
        qty: l.SalesItemLineDetail.Qty,
        unitPrice: l.SalesItemLineDetail.UnitPrice,
        tax: l.SalesItemLineDetail.TaxCodeRef?.value,
        class: l.SalesItemLineDetail.ClassRef?.value,
      }));
    expect(comparable(estimate)).toEqual(comparable(invoice));
    expect(estimate.CustomerRef.value).toBe(invoice.CustomerRef.value);
    expect(estimate.TotalAmt).toBe(invoice.TotalAmt);
  });
});

describe('Document building: terms and dates that come from QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: ITEM.hours } });

  it("When DealBooks sets no terms, then the invoice follows the QuickBooks customer's own terms (ABC Inc: Net 15), not the company default (Net 30)", async () => {
    const { dealId } = await makeDeal(q, { name: 'ABC Inc extension', company: 'ABC Inc', lines: [{ name: 'Extension design', price: '800', quantity: '1' }] });
    const { document: invoice } = await create(q, dealId, 'invoice');
    expect(invoice.CustomerRef.value).toBe('3');
    expect(invoice.TxnDate).toBe('2026-11-20');
    expect(invoice.SalesTermRef?.value).toBe(TERM.net15);
    expect(invoice.DueDate).toBe('2026-12-05');
  });

  it("When DealBooks sets no terms and the customer has none, then the company's default terms (Net 30) give the due date", async () => {
    const { dealId } = await makeDeal(q, { name: 'Plain terms', company: 'Plain Terms Co-op', lines: [{ name: 'Survey', price: '300', quantity: '1' }] });
    const { summary, document: invoice } = await create(q, dealId, 'invoice');
    expect(invoice.SalesTermRef?.value).toBe(TERM.net30);
    expect(invoice.DueDate).toBe('2026-12-20');
    expect(summary.invoices[0].dueDate).toBe('2026-12-20');
  });

  it("When the transaction date is \"today\", then it is today's date in the QuickBooks company's time zone, and the due date follows the terms", async () => {
    await q.settings({ txnDate: 'today', termId: TERM.net30 });
    // 04:00 UTC: still the previous evening for a company on UTC-08:00 (test/simulators/quickbooks/time.ts).
    const now = q.world.clock.nowMs();
    const next4am = Math.ceil((now - 4 * 3_600_000) / 86_400_000) * 86_400_000 + 4 * 3_600_000;
    await q.world.clock.advance(next4am - now);
    const { dealId } = await makeDeal(q, { name: 'Dated today', company: 'Dated Today Ltd', lines: [{ name: 'Survey', price: '300', quantity: '1' }] });
    const { document: invoice } = await create(q, dealId, 'invoice');
    // QBO stamps its own records with the company's local date and time.
    const companyToday = String(invoice.MetaData.CreateTime).slice(0, 10);
    expect(invoice.TxnDate).toBe(companyToday);
    expect(invoice.DueDate).toBe(plusDays(companyToday, 30));
  });
});
