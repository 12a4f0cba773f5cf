import { SimClock } from '../common/clock';
import { SEED_IDS } from './seed';
import { DEMO_REALM_ID, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import { api, connect, control } from './oauth-test-support';

/**
 * The bookkeeper's control calls go through the API's own rules: balances move, the change is announced, and a
 * refused action answers with QBO's fault.
 */
let sim: QuickbooksSimulator;
let token: string;

beforeEach(async () => {
  sim = await startQuickbooksSimulator({ clock: new SimClock({ rate: 0 }) });
  token = (await connect(sim.url)).tokens.access_token;
});
afterEach(() => sim.close());

async function invoice(amount: number, customerId: string = SEED_IDS.customer.abcLlc): Promise<{ Id: string; Balance: number }> {
  const response = await api(sim.url, DEMO_REALM_ID, token, '/invoice?minorversion=75', {
    body: { CustomerRef: { value: customerId }, Line: [{ Amount: amount, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours }, Qty: 1, UnitPrice: amount } }] },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { Invoice: { Id: string; Balance: number } }).Invoice;
}

async function read(entity: string, id: string): Promise<Record<string, any>> {
  const response = await api(sim.url, DEMO_REALM_ID, token, `/${entity}/${id}?minorversion=75`);
  return ((await response.json()) as Record<string, Record<string, any>>)[entity.charAt(0).toUpperCase() + entity.slice(1)]!;
}

const book = (route: string, body: unknown) => control(sim.url, 'POST', `/quickbooks/bookkeeper/${DEMO_REALM_ID}${route}`, body);

describe('bookkeeper control calls', () => {
  it('When a part payment and then the rest are recorded, then the invoice balance falls to what is open and then to zero', async () => {
    const inv = await invoice(1651.5);
    const first = await book('/payments', { invoiceId: inv.Id, amount: '500.00', date: '2026-12-01', method: 'Check', reference: '1001' });
    expect(first.status).toBe(200);
    expect(first.body.Payment).toMatchObject({ TotalAmt: 500, TxnDate: '2026-12-01', PaymentRefNum: '1001', PaymentMethodRef: { name: 'Check' } });
    expect((await read('invoice', inv.Id)).Balance).toBe(1151.5);
    const rest = await book('/payments', { invoiceId: inv.Id });
    expect(rest.body.Payment.TotalAmt).toBe(1151.5);
    expect((await read('invoice', inv.Id)).Balance).toBe(0);
  });

  it('When one payment covers two invoices, then both balances fall by their own amounts', async () => {
    const a = await invoice(100);
    const b = await invoice(250);
    const paid = await book('/payments', { invoices: [{ id: a.Id, amount: 100 }, { id: b.Id, amount: '50.25' }] });
    expect(paid.status).toBe(200);
    expect(paid.body.Payment.TotalAmt).toBe(150.25);
    expect((await read('invoice', a.Id)).Balance).toBe(0);
    expect((await read('invoice', b.Id)).Balance).toBe(199.75);
  });

  it('When a payment is voided or deleted, then the invoice it paid is open again', async () => {
    const inv = await invoice(300);
    const one = await book('/payments', { invoiceId: inv.Id, amount: 100 });
    const two = await book('/payments', { invoiceId: inv.Id, amount: 200 });
    expect((await read('invoice', inv.Id)).Balance).toBe(0);
    expect((await book('/payments/void', { id: one.body.Payment.Id })).status).toBe(200);
    expect((await read('invoice', inv.Id)).Balance).toBe(100);
    expect((await book('/payments/delete', { id: two.body.Payment.Id })).status).toBe(200);
    expect((await read('invoice', inv.Id)).Balance).toBe(300);
  });

  it('When an invoice is voided or deleted, then QBO shows it voided, or answers 610 for it', async () => {
    const voided = await invoice(80);
    const deleted = await invoice(90);
    expect((await book('/invoices/void', { id: voided.Id })).status).toBe(200);
    const after = await read('invoice', voided.Id);
    expect(after).toMatchObject({ TotalAmt: 0, Balance: 0 });
    expect(String(after.PrivateNote)).toMatch(/^Voided/);
    expect((await book('/invoices/delete', { id: deleted.Id })).status).toBe(200);
    const gone = await api(sim.url, DEMO_REALM_ID, token, `/invoice/${deleted.Id}?minorversion=75`);
    expect(gone.status).toBe(400);
    expect(JSON.stringify(await gone.json())).toContain('610');
  });

  it('When an estimate is accepted or rejected, then its TxnStatus says so', async () => {
    const created = await api(sim.url, DEMO_REALM_ID, token, '/estimate?minorversion=75', {
      body: { CustomerRef: { value: SEED_IDS.customer.abcLlc }, Line: [{ Amount: 10, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours }, Qty: 1, UnitPrice: 10 } }] },
    });
    const estimate = ((await created.json()) as { Estimate: { Id: string } }).Estimate;
    expect((await book('/estimates/accept', { id: estimate.Id })).body.Estimate.TxnStatus).toBe('Accepted');
    expect((await book('/estimates/reject', { id: estimate.Id })).body.Estimate.TxnStatus).toBe('Rejected');
  });

  it('When the books refuse the action, then the answer is QBO\'s fault and nothing changes', async () => {
    const inv = await invoice(40);
    await book('/payments', { invoiceId: inv.Id, amount: 10 });
    const refused = await book('/invoices/void', { id: inv.Id });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/payment/i);
    expect((await read('invoice', inv.Id)).Balance).toBe(30);
    const tooMuch = await book('/payments', { invoiceId: inv.Id, amount: 31 });
    expect(tooMuch.status).toBe(400);
    expect((await read('invoice', inv.Id)).Balance).toBe(30);
    const unknown = await book('/payments', { invoiceId: '999999' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('610');
    const bad = await book('/payments', { amount: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/invoiceId/);
  });

  it('When a bookkeeper records a payment, then the change is announced like an API write (webhooks and CDC follow)', async () => {
    const inv = await invoice(20);
    let announced = 0;
    sim.companies.onChange((change) => {
      if (change.entity === 'Payment') announced++;
    });
    await book('/payments', { invoiceId: inv.Id });
    expect(announced).toBe(1);
  });
  it('When the bookkeeper deposits a payment, then the payment can no longer be voided until the deposit is deleted (Intuit: "you must delete the associated deposit object before voiding")', async () => {
    const inv = await invoice(250.5);
    const paid = await book('/payments', { invoiceId: inv.Id });
    const deposited = await book('/deposits', { paymentIds: [paid.body.Payment.Id] });
    expect(deposited.status).toBe(200);
    expect(deposited.body.Deposit).toMatchObject({ TotalAmt: 250.5, DepositToAccountRef: { value: SEED_IDS.account.checking } });
    expect((await read('deposit', deposited.body.Deposit.Id)).Line[0].LinkedTxn[0]).toMatchObject({ TxnId: paid.body.Payment.Id, TxnType: 'Payment' });
    const refused = await book('/payments/void', { id: paid.body.Payment.Id });
    expect(refused.status).toBe(400);
    expect(refused.body.Fault.Error[0].code).toBe('6000');
    expect((await book('/deposits', { paymentIds: [] })).status).toBe(400);
    expect((await book('/deposits/delete', { id: deposited.body.Deposit.Id })).status).toBe(200);
    expect((await book('/payments/void', { id: paid.body.Payment.Id })).status).toBe(200);
  });
});
