import type { DealSnapshot, LineItemSnapshot, ProblemCode } from '../../../server/src/sync/model';
import { preflight, type PreflightFacts, type QuickbooksFacts } from '../../../server/src/sync/preflight';

function line(id: string, name: string, fields: Partial<LineItemSnapshot> = {}): LineItemSnapshot {
  return {
    id,
    name,
    description: null,
    productId: `p-${id}`,
    sku: null,
    quantity: '1',
    price: '100',
    discount: null,
    discountPercentage: null,
    amount: null,
    currency: null,
    product: { id: `p-${id}`, name, sku: null },
    ...fields,
  };
}

function deal(fields: Partial<DealSnapshot> = {}): DealSnapshot {
  return {
    id: '4242',
    name: 'Permit set for 12 Elm St',
    stage: 'closedwon',
    pipeline: 'default',
    amount: '100',
    closeDate: '2026-03-31',
    currency: 'USD',
    ownerId: '77',
    properties: {},
    lineItems: [line('l1', 'Permit set')],
    company: { id: 'c1', name: 'ABC Holdings', domain: null, phone: null, address: null, city: null, state: null, zip: null, country: null },
    contact: { id: 'k1', email: 'jane@abc.example', firstName: 'Jane', lastName: 'Doe', phone: null },
    ...fields,
  };
}

function qbo(overrides: Partial<QuickbooksFacts> = {}, company: Partial<QuickbooksFacts['company']> = {}): QuickbooksFacts {
  return {
    company: { bookCloseDate: null, homeCurrency: 'USD', multicurrency: false, allowEstimates: true, ...company },
    items: new Map([['l1', { itemId: '3' }]]),
    customer: { status: 'resolved', customer: { id: '1', displayName: 'ABC LLC', currency: 'USD', email: 'billing@abcllc.example' } },
    ...overrides,
  };
}

/** A clean invoice request with every fact known. */
function facts(overrides: Partial<PreflightFacts> = {}): PreflightFacts {
  return {
    kind: 'invoice',
    dealId: '4242',
    hubspotInstalled: true,
    quickbooks: 'connected',
    deal: deal(),
    today: '2026-04-02',
    settings: { txnDate: 'close_date', sendByEmail: false, createCustomers: true, allowedUserIds: null },
    actor: { userId: 'u1' },
    quickbooksFacts: qbo(),
    ...overrides,
  };
}

const codes = (f: PreflightFacts): ProblemCode[] => preflight(f).map((p) => p.code);

describe('preflight', () => {
  it('When everything is in order, then there is no problem', () => {
    expect(preflight(facts())).toStrictEqual([]);
    expect(preflight(facts({ kind: 'estimate', settings: { txnDate: 'today', sendByEmail: true, createCustomers: false, allowedUserIds: ['u1'] } }))).toStrictEqual([]);
  });

  it('When QuickBooks has not been read yet, then only the account, the deal and the user are checked', () => {
    expect(preflight(facts({ quickbooksFacts: null }))).toStrictEqual([]);
    expect(codes(facts({ quickbooksFacts: null, deal: deal({ lineItems: [] }) }))).toEqual(['no_line_items']);
  });

  it('When DealBooks was uninstalled from HubSpot, then that is the problem and nothing about the deal is guessed', () => {
    expect(preflight(facts({ hubspotInstalled: false, deal: null }))).toEqual([
      {
        code: 'hubspot_uninstalled',
        message: 'DealBooks is no longer installed in this HubSpot account. Reinstall DealBooks from the HubSpot marketplace to create invoices again.',
      },
    ]);
  });

  it('When QuickBooks is not connected, then it says to connect and skips the checks that need QuickBooks', () => {
    const stale = qbo({ items: new Map([['l1', null]]), customer: { status: 'none' } }, { bookCloseDate: '2030-01-01' });
    const problems = preflight(facts({ quickbooks: 'not_connected', quickbooksFacts: stale, deal: deal({ lineItems: [line('l1', 'Permit set', { price: null })] }) }));
    expect(problems).toEqual([
      { code: 'quickbooks_not_connected', message: 'QuickBooks is not connected. Connect QuickBooks in DealBooks settings.' },
      expect.objectContaining({ code: 'line_without_price' }),
    ]);
  });

  it('When QuickBooks needs a reconnect, then it says so, and stale QuickBooks facts are not used', () => {
    const stale = qbo({ items: new Map([['l1', null]]) }, { bookCloseDate: '2030-01-01', allowEstimates: false });
    expect(preflight(facts({ kind: 'estimate', quickbooks: 'needs_reconnect', quickbooksFacts: stale }))).toEqual([
      { code: 'quickbooks_needs_reconnect', message: 'The connection to QuickBooks has expired or was revoked. Reconnect QuickBooks in DealBooks settings.' },
    ]);
  });

  it('When HubSpot has no such deal, then it says the deal is gone and what to do', () => {
    expect(preflight(facts({ deal: null }))).toEqual([
      {
        code: 'deal_not_found',
        message: 'HubSpot has no deal 4242 in this account; it may have been deleted or merged into another deal. Open the deal that remains and create the invoice from there.',
        subject: { dealId: '4242' },
      },
    ]);
  });

  it('When the deal has no line items, then it asks for the products sold', () => {
    expect(preflight(facts({ deal: deal({ lineItems: [] }), quickbooksFacts: qbo({ items: new Map() }) }))).toEqual([
      {
        code: 'no_line_items',
        message: 'The deal “Permit set for 12 Elm St” has no line items. Add the products sold to the deal in HubSpot; DealBooks builds the invoice from them.',
        subject: { dealId: '4242' },
      },
    ]);
  });

  it('When lines have no price (or a negative one), then each is named', () => {
    const d = deal({ lineItems: [line('l1', 'Permit set', { price: null }), line('l2', 'Rush fee', { price: '-5' }), line('l3', 'Free visit', { price: '0' })] });
    const items = new Map([
      ['l1', { itemId: '3' }],
      ['l2', { itemId: '3' }],
      ['l3', { itemId: '3' }],
    ]);
    expect(preflight(facts({ deal: d, quickbooksFacts: qbo({ items }) }))).toEqual([
      { code: 'line_without_price', message: 'The line item “Permit set” has no price. Set its unit price in HubSpot (0 is allowed for free items).', subject: { lineItemId: 'l1', name: 'Permit set' } },
      { code: 'line_without_price', message: 'The line item “Rush fee” has no valid price. Set its unit price in HubSpot (0 is allowed for free items).', subject: { lineItemId: 'l2', name: 'Rush fee' } },
    ]);
  });

  it('When products have no QuickBooks item, then there is one problem per product, naming it', () => {
    const d = deal({
      lineItems: [
        line('l1', 'Permit set'),
        line('l2', 'Permit set (2nd copy)', { productId: 'p-l1', product: { id: 'p-l1', name: 'Permit set', sku: null } }),
        line('l3', 'Custom work', { productId: null, product: null }),
        line('l4', 'Hours'),
      ],
    });
    const items = new Map([
      ['l1', null],
      ['l2', null],
      ['l3', null],
      ['l4', { itemId: '3' }],
    ]);
    expect(preflight(facts({ deal: d, quickbooksFacts: qbo({ items }) }))).toEqual([
      {
        code: 'unmapped_product',
        message:
          'No QuickBooks item matches the HubSpot product “Permit set”. Map the HubSpot product “Permit set” to a QuickBooks item in DealBooks settings, or choose a default item.',
        subject: { lineItemId: 'l1', productId: 'p-l1', name: 'Permit set' },
      },
      {
        code: 'unmapped_product',
        message: 'The line item “Custom work” is not a HubSpot product and no QuickBooks item matches it. Choose a default item in DealBooks settings, or pick a product for the line in HubSpot.',
        subject: { lineItemId: 'l3', name: 'Custom work' },
      },
    ]);
  });

  it('When the transaction date is in a closed period, then it names both dates and the way out', () => {
    expect(preflight(facts({ quickbooksFacts: qbo({}, { bookCloseDate: '2026-06-30' }) }))).toEqual([
      {
        code: 'closed_period',
        message:
          "The transaction date 2026-03-31 is in a closed period in QuickBooks (books closed through 2026-06-30). Change the deal's close date or ask your accountant to reopen the period.",
        subject: { txnDate: '2026-03-31', bookCloseDate: '2026-06-30' },
      },
    ]);
    // The close date itself is closed; the day after is open.
    expect(codes(facts({ quickbooksFacts: qbo({}, { bookCloseDate: '2026-03-31' }) }))).toEqual(['closed_period']);
    expect(codes(facts({ quickbooksFacts: qbo({}, { bookCloseDate: '2026-03-30' }) }))).toStrictEqual([]);
  });

  it('When the document is dated today and today is closed, then only reopening helps', () => {
    const f = facts({ settings: { txnDate: 'today', sendByEmail: false, createCustomers: true, allowedUserIds: null }, quickbooksFacts: qbo({}, { bookCloseDate: '2026-04-30' }) });
    expect(preflight(f)[0]!.message).toBe('The transaction date 2026-04-02 is in a closed period in QuickBooks (books closed through 2026-04-30). Ask your accountant to reopen the period.');
  });

  it('When the deal currency is not the home currency and multicurrency is off, then it says so', () => {
    expect(preflight(facts({ deal: deal({ currency: 'EUR' }) }))).toEqual([
      {
        code: 'currency_mismatch',
        message: "The deal is in EUR but QuickBooks books only in USD (multicurrency is off). Change the deal's currency to USD, or turn on multicurrency in QuickBooks.",
        subject: { dealCurrency: 'EUR', homeCurrency: 'USD' },
      },
    ]);
  });

  it('When the deal is in EUR and the customer is billed in USD, then it says a customer has one currency', () => {
    expect(preflight(facts({ deal: deal({ currency: 'EUR' }), quickbooksFacts: qbo({}, { multicurrency: true }) }))).toEqual([
      {
        code: 'currency_mismatch',
        message:
          "The deal is in EUR but the QuickBooks customer “ABC LLC” is billed in USD, and a QuickBooks customer has one currency. Change the deal's currency, or choose a EUR customer on the deal card.",
        subject: { dealCurrency: 'EUR', customerCurrency: 'USD', customerId: '1' },
      },
    ]);
    // A deal without a currency is in the home currency.
    const euroCustomer = qbo({ customer: { status: 'resolved', customer: { id: '9', displayName: 'Euro GmbH', currency: 'EUR', email: 'a@b.example' } } }, { multicurrency: true });
    expect(codes(facts({ deal: deal({ currency: null }), quickbooksFacts: euroCustomer }))).toEqual(['currency_mismatch']);
    expect(codes(facts({ deal: deal({ currency: 'EUR' }), quickbooksFacts: euroCustomer }))).toStrictEqual([]);
  });

  it('When the customer match needs confirmation, then the best candidates and their scores are named', () => {
    const customer = { status: 'needs_confirmation' as const, companyName: 'ABC Holdings', candidates: [{ displayName: 'ABC LLC', score: 0.823 }, { displayName: 'ABC Inc', score: 0.75 }] };
    expect(preflight(facts({ quickbooksFacts: qbo({ customer }) }))).toEqual([
      {
        code: 'customer_needs_confirmation',
        message:
          '“ABC Holdings” has no exact match among the QuickBooks customers. The closest QuickBooks customers are “ABC LLC” (82%), “ABC Inc” (75%). Confirm the right customer on the deal card, or choose to create a new one.',
        subject: { companyName: 'ABC Holdings', candidates: '“ABC LLC” (82%), “ABC Inc” (75%)' },
      },
    ]);
  });

  it('When several candidates share the best score, then they are named as a tie that needs a choice, not as closest matches', () => {
    const customer = {
      status: 'needs_confirmation' as const,
      companyName: 'ABC Corporation',
      candidates: [{ displayName: 'ABC LLC', score: 1 }, { displayName: 'ABC, LLC', score: 1 }, { displayName: 'ABC Inc', score: 1 }],
    };
    expect(preflight(facts({ quickbooksFacts: qbo({ customer }) }))).toEqual([
      {
        code: 'customer_needs_confirmation',
        message:
          '3 QuickBooks customers match “ABC Corporation” equally well: “ABC LLC”, “ABC, LLC”, “ABC Inc”. DealBooks cannot tell which one this deal bills; choose the right customer on the deal card, or choose to create a new one.',
        subject: { companyName: 'ABC Corporation', candidates: '“ABC LLC”, “ABC, LLC”, “ABC Inc”', tie: 'true' },
      },
    ]);
    const partial = { ...customer, candidates: [{ displayName: 'ABC LLC', score: 0.85 }, { displayName: 'ABC Inc', score: 0.85 }, { displayName: 'ABD Co', score: 0.8 }] };
    expect(preflight(facts({ quickbooksFacts: qbo({ customer: partial }) }))[0]!.message).toMatch(/^2 QuickBooks customers match “ABC Corporation” equally well \(85% each\): “ABC LLC”, “ABC Inc”\./);
  });

  it('When no customer matches and creating customers is off, then it asks to choose one or allow creating', () => {
    const f = facts({ settings: { txnDate: 'close_date', sendByEmail: false, createCustomers: false, allowedUserIds: null }, quickbooksFacts: qbo({ customer: { status: 'none' } }) });
    expect(preflight(f)).toEqual([
      {
        code: 'customer_missing',
        message: 'No QuickBooks customer matches “ABC Holdings”, and DealBooks settings do not allow creating customers. Choose a customer on the deal card, or turn on "Create customers" in DealBooks settings.',
        subject: { dealId: '4242' },
      },
    ]);
  });

  it('When no customer matches and the deal has no company or contact to create one from, then it says so', () => {
    const f = facts({ deal: deal({ company: null, contact: null }), quickbooksFacts: qbo({ customer: { status: 'none' } }) });
    expect(preflight(f)).toEqual([
      {
        code: 'customer_missing',
        message: 'The deal has no associated company or contact to create a QuickBooks customer from. Associate a company (or a contact) with the deal in HubSpot, or choose a customer on the deal card.',
        subject: { dealId: '4242' },
      },
    ]);
    // With a company to create it from, DealBooks creates the customer: nothing to report.
    expect(codes(facts({ quickbooksFacts: qbo({ customer: { status: 'none' } }) }))).toStrictEqual([]);
  });

  it('When sending is on and neither contact nor customer has an email, then it asks for one', () => {
    const settings = { txnDate: 'close_date' as const, sendByEmail: true, createCustomers: true, allowedUserIds: null };
    const noEmails = facts({
      settings,
      deal: deal({ contact: { id: 'k1', email: null, firstName: 'Jane', lastName: null, phone: null } }),
      quickbooksFacts: qbo({ customer: { status: 'resolved', customer: { id: '1', displayName: 'ABC LLC', currency: 'USD', email: null } } }),
    });
    expect(preflight(noEmails)).toEqual([
      {
        code: 'no_bill_email',
        message:
          "DealBooks is set to email the invoice from QuickBooks, but neither the deal's contact nor the QuickBooks customer has an email address. Add an email to the deal's contact in HubSpot (or to the customer in QuickBooks), or turn off sending in DealBooks settings.",
        subject: { dealId: '4242' },
      },
    ]);
    // The customer's own address is enough.
    expect(codes(facts({ settings, deal: deal({ contact: null }) }))).toStrictEqual([]);
    // Not sending: no email needed.
    expect(codes({ ...noEmails, settings: { ...settings, sendByEmail: false } })).toStrictEqual([]);
  });

  it('When the user is not on the list of who may create invoices, then it says whom to ask; the automatic trigger is allowed', () => {
    const settings = { txnDate: 'close_date' as const, sendByEmail: false, createCustomers: true, allowedUserIds: ['u2', 'u3'] };
    expect(preflight(facts({ settings }))).toEqual([
      {
        code: 'not_allowed',
        message: 'You are not on the list of HubSpot users who may create invoices with DealBooks. Ask a DealBooks admin to add you in DealBooks settings.',
        subject: { userId: 'u1' },
      },
    ]);
    expect(codes(facts({ settings, actor: { userId: 'u3' } }))).toStrictEqual([]);
    expect(codes(facts({ settings, actor: null }))).toStrictEqual([]);
  });

  it('When estimates are turned off in QuickBooks, then an estimate is refused with the setting to change', () => {
    const f = facts({ kind: 'estimate', quickbooksFacts: qbo({}, { allowEstimates: false }) });
    expect(preflight(f)).toEqual([
      {
        code: 'estimates_disabled',
        message: 'Estimates are turned off in QuickBooks. Turn them on in QuickBooks (Settings > Account and settings > Sales > Estimates), or create an invoice instead.',
      },
    ]);
    expect(codes({ ...f, kind: 'invoice' })).toStrictEqual([]);
  });

  it('When many things are wrong at once, then every problem is reported, in a stable order', () => {
    const d = deal({ currency: 'EUR', contact: null, lineItems: [line('l1', 'Permit set', { price: null }), line('l2', 'Hours')] });
    const f = facts({
      kind: 'estimate',
      deal: d,
      actor: { userId: 'intruder' },
      settings: { txnDate: 'close_date', sendByEmail: true, createCustomers: false, allowedUserIds: ['u1'] },
      quickbooksFacts: qbo(
        {
          items: new Map([
            ['l1', { itemId: '3' }],
            ['l2', null],
          ]),
          customer: { status: 'none' },
        },
        { bookCloseDate: '2026-12-31', allowEstimates: false },
      ),
    });
    expect(codes(f)).toEqual(['line_without_price', 'unmapped_product', 'closed_period', 'currency_mismatch', 'customer_missing', 'no_bill_email', 'not_allowed', 'estimates_disabled']);
    expect(preflight(f)).toEqual(preflight(f));
  });
});

describe('preflight edges', () => {
  it('When neither the deal nor QuickBooks names a currency, then there is no currency problem', () => {
    expect(codes(facts({ deal: deal({ currency: null }), quickbooksFacts: qbo({}, { homeCurrency: null }) }))).toStrictEqual([]);
  });

  it('When a customer needs confirmation but no candidate is close, then the message names none', () => {
    const customer = { status: 'needs_confirmation' as const, companyName: 'ABC Holdings', candidates: [] };
    const [problem] = preflight(facts({ quickbooksFacts: qbo({ customer }) }));
    expect(problem?.message).toBe('“ABC Holdings” has no exact match among the QuickBooks customers. Confirm the right customer on the deal card, or choose to create a new one.');
    expect(problem?.subject).toEqual({ companyName: 'ABC Holdings', candidates: '' });
  });

  it('When no customer matches a deal whose company has no name and creating is off, then the message speaks of "this deal"', () => {
    const settings = { txnDate: 'close_date' as const, sendByEmail: false, createCustomers: false, allowedUserIds: null };
    const d = deal();
    const f = facts({ deal: { ...d, company: { ...d.company!, name: null } }, settings, quickbooksFacts: qbo({ customer: { status: 'none' } }) });
    expect(preflight(f)[0]?.message).toContain('No QuickBooks customer matches this deal, and');
  });
});
