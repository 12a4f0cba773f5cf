import estimateFixture from '../fixtures/quickbooks/estimate_create_response.json';
import invoiceFixture from '../fixtures/quickbooks/invoice_read_response.json';
import itemsFixture from '../fixtures/quickbooks/item_query_response_service.json';
import termsFixture from '../fixtures/quickbooks/term_query_response.json';
import { customerBody } from '../../server/src/quickbooks/customer-body';
import { jsonMoneyToCents, jsonNumberToDecimal, toDocument, toItem, toTerm } from '../../server/src/quickbooks/sales-schemas';

/**
 * QBO JSON into DealBooks' plain types: money from JSON numbers to exact cents, real payloads (fixtures) parsed,
 * and the Customer body kept inside QBO's field rules (listed in server/src/quickbooks/customer-body.ts).
 */
describe('money from JSON numbers', () => {
  it.each([
    [362.07, 36207],
    [275.0, 27500],
    [31.5, 3150],
    [0, 0],
    [1234567.89, 123456789],
    [-12.34, -1234],
    [0.1 + 0.2, 30], // 0.30000000000000004: the third decimal rounds away
    [0.005, 1],
    [-0.005, -1],
  ])('When QBO sends %p, then it is %p cents', (value, cents) => {
    expect(jsonMoneyToCents(value)).toBe(cents);
  });

  it('When an amount has more cents than a number can hold exactly, then it is refused, not rounded', () => {
    expect(() => jsonMoneyToCents(1e17)).toThrow('out of range');
  });

  it('When a number prints with an exponent, then the decimal text is still exact and plain', () => {
    expect(jsonNumberToDecimal(1e-7)).toBe('0.0000001');
    expect(jsonNumberToDecimal(1.5e-7)).toBe('0.00000015');
    expect(jsonNumberToDecimal(1e21)).toBe('1000000000000000000000');
    expect(jsonNumberToDecimal(150.5)).toBe('150.5');
    expect(jsonNumberToDecimal(-0)).toBe('0');
    expect(() => jsonNumberToDecimal(Number.NaN)).toThrow();
  });
});

describe('documents, items and terms from real payloads', () => {
  const base = 'https://app.qbo.intuit.com';

  it('When the fixture invoice is read, then totals, tax, links and the web link are exact', () => {
    const doc = toDocument('invoice', invoiceFixture.Invoice, base);
    expect(doc).toEqual({
      kind: 'invoice',
      id: '130',
      docNumber: '1037',
      customerId: '24',
      txnDate: '2014-09-19',
      dueDate: '2014-10-19',
      expirationDate: null,
      currency: null,
      totalCents: 36207,
      balanceCents: 36207,
      taxCents: 2682,
      txnStatus: null,
      emailStatus: 'NotSet',
      privateNote: null,
      syncToken: '0',
      linked: [{ id: '100', type: 'Estimate' }],
      billEmail: 'Familiystore@intuit.com',
      webUrl: 'https://app.qbo.intuit.com/app/invoice?txnId=130',
      updatedAt: '2014-09-19T13:16:17-07:00',
    });
  });

  it('When the fixture estimate is read, then it has a status, no balance, and the estimate web link', () => {
    const doc = toDocument('estimate', estimateFixture.Estimate, 'https://app.sandbox.qbo.intuit.com/');
    expect(doc.txnStatus).toBe('Pending');
    expect(doc.totalCents).toBe(3150);
    expect(doc.balanceCents).toBeNull();
    expect(doc.webUrl).toBe('https://app.sandbox.qbo.intuit.com/app/estimate?txnId=177');
  });

  it('When a document lacks its customer, then parsing refuses it rather than guessing', () => {
    const { CustomerRef: _dropped, ...rest } = invoiceFixture.Invoice;
    expect(() => toDocument('invoice', rest, base)).toThrow();
  });

  it('When fixture items and terms are read, then prices are decimal strings and due days numbers', () => {
    const items = itemsFixture.QueryResponse.Item.map(toItem);
    expect(items[0]).toEqual({ id: '3', name: 'Concrete', sku: null, type: 'Service', active: true, taxable: true, unitPrice: '0' });
    expect(items[1]?.unitPrice).toBe('75');
    const terms = termsFixture.QueryResponse.Term.map(toTerm);
    expect(terms[0]).toEqual({ id: '1', name: 'Due on receipt', dueDays: 0, dayOfMonthDue: null, active: true });
  });
});

describe('customerBody', () => {
  it('When HubSpot data is ordinary, then every field lands where QBO expects it', () => {
    expect(
      customerBody({
        displayName: 'Acme Corp',
        companyName: 'Acme Corp',
        givenName: 'Jane',
        familyName: 'Doe',
        email: 'jane@acme.example',
        phone: '+1 415 555 0100',
        billAddr: { line1: '1 Market St', city: 'San Francisco', countrySubDivisionCode: 'CA', postalCode: '94105', country: 'US' },
        notes: 'Created by DealBooks from HubSpot company 7.',
        currency: 'usd',
      }),
    ).toEqual({
      DisplayName: 'Acme Corp',
      CompanyName: 'Acme Corp',
      GivenName: 'Jane',
      FamilyName: 'Doe',
      PrimaryEmailAddr: { Address: 'jane@acme.example' },
      PrimaryPhone: { FreeFormNumber: '+1 415 555 0100' },
      BillAddr: { Line1: '1 Market St', City: 'San Francisco', CountrySubDivisionCode: 'CA', PostalCode: '94105', Country: 'US' },
      Notes: 'Created by DealBooks from HubSpot company 7.',
      CurrencyRef: { value: 'USD' },
    });
  });

  it('When a value is too long, then it is cut to the limit; an invalid email or an overlong phone is left out', () => {
    const body = customerBody({
      displayName: 'N'.repeat(600),
      companyName: 'C'.repeat(150),
      givenName: 'G'.repeat(101),
      email: 'not-an-email',
      phone: '1'.repeat(31),
      notes: 'x'.repeat(2500),
      billAddr: { line1: 'L'.repeat(600), postalCode: '9'.repeat(40) },
    });
    expect((body.DisplayName as string).length).toBe(500);
    expect((body.CompanyName as string).length).toBe(100);
    expect((body.GivenName as string).length).toBe(100);
    expect((body.Notes as string).length).toBe(2000);
    expect(body.PrimaryEmailAddr).toBeUndefined();
    expect(body.PrimaryPhone).toBeUndefined();
    expect(body.BillAddr).toEqual({ Line1: 'L'.repeat(500), PostalCode: '9'.repeat(30) });
    expect(customerBody({ displayName: 'A', email: `${'a'.repeat(95)}@b.com` }).PrimaryEmailAddr).toBeUndefined();
  });

  it("When a name holds ':' or line breaks, then the DisplayName QBO would refuse is made acceptable", () => {
    expect(customerBody({ displayName: 'Acme: West\tCoast\nOffice' }).DisplayName).toBe('Acme - West Coast Office');
  });

  it('When the display name is empty, then the company, the person or the email names the customer', () => {
    expect(customerBody({ displayName: '  ', companyName: 'Globex' }).DisplayName).toBe('Globex');
    expect(customerBody({ displayName: '', givenName: 'Jane', familyName: 'Doe' }).DisplayName).toBe('Jane Doe');
    expect(customerBody({ displayName: '', email: 'ap@globex.example' }).DisplayName).toBe('ap@globex.example');
    expect(() => customerBody({ displayName: '' })).toThrow('needs a name');
  });

  it('When the customer is a project of a parent, then it is a billed-with-parent sub-customer', () => {
    expect(customerBody({ displayName: 'Acme - Deal 42', parentId: '7' })).toEqual({
      DisplayName: 'Acme - Deal 42',
      Job: true,
      ParentRef: { value: '7' },
      BillWithParent: true,
    });
  });

  it('When a cut would split an emoji, then the half character is dropped', () => {
    const name = `${'a'.repeat(99)}😀`;
    expect(customerBody({ displayName: 'X', companyName: name }).CompanyName).toBe('a'.repeat(99));
  });
});
