import { Button, ErrorState, Link, LoadingSpinner } from '@hubspot/ui-extensions';
import { UNREACHABLE } from '../shared/api';
import { estimate, invoice, stubDealBooks, summary } from './__tests__/fixtures';
import { closeCards, eventually, renderCard, sleep } from './__tests__/render';

/**
 * The deal card's states, with DealBooks' answers stubbed (typed with the shared answer types). Each test names the
 * state and asserts on the words a person reads in it.
 */
const SUMMARY = 'GET /api/deals/123/summary';
let stub: ReturnType<typeof stubDealBooks>;
afterEach(() => {
  jest.useRealTimers();
  closeCards();
  stub?.restore();
});

describe('The deal card while it loads, and when DealBooks cannot be reached', () => {
  it('When the summary has not come yet, then it shows a spinner that says "Loading QuickBooks details…"', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary() } });
    const card = renderCard();
    expect(card.renderer.find(LoadingSpinner).props.label).toBe('Loading QuickBooks details…');
    await card.says('Create invoice');
  });

  it('When DealBooks does not answer, then an ErrorState says so with a Retry button, and Retry loads the card', async () => {
    stub = stubDealBooks({ [SUMMARY]: 'unreachable' });
    const card = renderCard();
    await card.says("DealBooks can't be reached");
    expect(card.renderer.find(ErrorState).props.title).toBe("DealBooks can't be reached");
    expect(card.text()).toContain(UNREACHABLE);
    stub.set(SUMMARY, { status: 200, body: summary() });
    card.click('Retry');
    await card.says('No invoice or estimate yet');
    expect(card.renderer.maybeFind(ErrorState)).toBeNull();
  });

  it('When DealBooks answers with an error of its own, then the ErrorState shows DealBooks\' words', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 503, body: { error: { code: 'unavailable', message: 'DealBooks is starting up. Try again in a minute.' } } } });
    const card = renderCard();
    await card.says('DealBooks is starting up. Try again in a minute.');
    expect(card.button('Retry')).not.toBeNull();
  });
});

describe('The deal card and the QuickBooks connection', () => {
  it('When the account has no QuickBooks and the user may connect it, then "Connect QuickBooks" fetches a connect URL and offers it as a link that opens QuickBooks', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ connection: { state: 'not_connected', companyName: null, message: 'QuickBooks is not connected. Connect it in DealBooks settings.' }, customer: { state: 'none' }, allowedActions: ['connect_quickbooks'] }) },
      'POST /api/quickbooks/connect-url': { status: 200, body: { url: 'https://appcenter.intuit.example/connect/oauth2?state=abc', expiresAt: '2026-12-03T07:00:00.000Z' } },
    });
    const card = renderCard();
    await card.says('QuickBooks is not connected. Connect it in DealBooks settings.');
    expect(card.buttons()).toEqual(['Connect QuickBooks']);
    expect(stub.calls.filter((c) => c.path.includes('connect-url'))).toEqual([]);
    card.click('Connect QuickBooks');
    await card.says('Open QuickBooks to connect');
    expect(card.renderer.find(Link, (l) => l.text === 'Open QuickBooks to connect').props.href).toEqual({ url: 'https://appcenter.intuit.example/connect/oauth2?state=abc', external: true });
    expect(card.text()).toContain('Sign in to QuickBooks in the new tab and choose the company; then come back to this deal.');
  });

  it('When the account has no QuickBooks and the user may not connect it, then it says whom to ask and offers no button', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ connection: { state: 'not_connected', companyName: null, message: 'QuickBooks is not connected. Connect it in DealBooks settings.' }, customer: { state: 'none' }, allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Ask a DealBooks admin to connect it.');
    expect(card.buttons()).toEqual([]);
  });

  it('When QuickBooks needs reconnecting, then a warning says so with the way out: "Reconnect QuickBooks" for those allowed', async () => {
    const needsReconnect = summary({
      connection: { state: 'needs_reconnect', companyName: 'Larkspur Books', message: 'QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.' },
      problems: [{ code: 'quickbooks_needs_reconnect', message: 'QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.' }],
      allowedActions: ['reconnect_quickbooks'],
    });
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: needsReconnect } });
    const card = renderCard();
    await card.says('QuickBooks needs to be reconnected');
    expect(card.text()).toContain('DealBooks can no longer reach Larkspur Books in QuickBooks. QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.');
    // Said once, with one way out, though it is also among the problems.
    expect(card.buttons()).toEqual(['Reconnect QuickBooks']);
    expect(card.text().split('QuickBooks needs to be reconnected').length - 1).toBe(2);
  });

  it('When QuickBooks needs reconnecting and the user may not reconnect it, then the warning says whom to ask', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ connection: { state: 'needs_reconnect', companyName: null, message: 'QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.' }, allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Ask a DealBooks admin to reconnect it.');
    expect(card.buttons()).toEqual([]);
  });
});

describe('The deal card while work is under way', () => {
  const outage = {
    actionId: 7,
    kind: 'invoice',
    status: 'queued',
    createdAt: '2026-12-03T12:58:00.000Z',
    waitingFor: 'QuickBooks is not answering: connect ECONNREFUSED. DealBooks tries again by itself.',
    nextAttemptAt: '2026-12-03T13:05:00.000Z',
  };

  it('When pending work waits out a QuickBooks outage, then it says what it waits for and the next try in the account\'s time zone, named', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ pending: [outage], problems: [{ code: 'quickbooks_unavailable', message: outage.waitingFor }], allowedActions: [] }) },
    });
    // The card's clock on the day of the next try, so the time is said without a date; timers stay real.
    jest.useFakeTimers({ now: new Date('2026-12-03T12:59:00.000Z'), doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'hrtime', 'performance'] });
    const card = renderCard({ timeZone: 'Europe/Berlin', pollMs: 60_000 });
    await card.says('Creating the invoice in QuickBooks: waiting');
    expect(card.text()).toContain('QuickBooks is not answering: connect ECONNREFUSED. DealBooks tries again by itself. Next try at 14:05 Europe/Berlin time.');
    // The outage is said once, with the work that waits for it, not again as a problem.
    expect(card.text().split('QuickBooks is not answering').length - 1).toBe(1);
  });

  it('When work is running, then a spinner says what it does; the card asks again every poll until the work is done, then refreshes the deal\'s properties once and asks only at the slower refresh', async () => {
    const running = summary({ pending: [{ ...outage, status: 'running', waitingFor: null, nextAttemptAt: null }], allowedActions: [] });
    let reads = 0;
    stub = stubDealBooks({ [SUMMARY]: () => (++reads < 3 ? { status: 200, body: running } : { status: 200, body: summary({ invoices: [invoice()], allowedActions: ['send_invoice'] }) }) });
    const card = renderCard({ pollMs: 20, refreshMs: 400 });
    await card.renderer.waitFor(() => expect(card.renderer.find(LoadingSpinner).props.label).toBe('Creating the invoice in QuickBooks…'));
    await card.says('Invoice 1042');
    expect(card.renderer.mocks.actions.refreshObjectProperties.calls).toHaveLength(1);
    const readsWhenDone = reads;
    expect(readsWhenDone).toBe(3);
    // Done: no more polling, only the slower refresh.
    await sleep(150);
    expect(reads).toBe(readsWhenDone);
    await eventually(() => expect(reads).toBe(readsWhenDone + 1));
    expect(card.renderer.mocks.actions.refreshObjectProperties.calls).toHaveLength(1);
  });

  it('When the only pending work waits (for a reconnect or an outage, possibly for days), then the card asks at the slower refresh, not every poll; work that runs beside it brings back polling', async () => {
    const waiting = summary({ pending: [outage], allowedActions: [] });
    let reads = 0;
    stub = stubDealBooks({ [SUMMARY]: () => (++reads, { status: 200, body: waiting }) });
    const card = renderCard({ pollMs: 20, refreshMs: 400 });
    await card.says('Creating the invoice in QuickBooks: waiting');
    await sleep(150);
    expect(reads).toBe(1);
    await eventually(() => expect(reads).toBe(2));
    closeCards();
    stub.restore();

    const mixed = summary({ pending: [outage, { ...outage, actionId: 8, kind: 'send', status: 'running', waitingFor: null, nextAttemptAt: null }], allowedActions: [] });
    let mixedReads = 0;
    stub = stubDealBooks({ [SUMMARY]: () => (++mixedReads, { status: 200, body: mixed }) });
    const polled = renderCard({ pollMs: 20, refreshMs: 400 });
    await polled.says('Creating the invoice in QuickBooks: waiting');
    await eventually(() => expect(mixedReads).toBeGreaterThanOrEqual(3), 300);
  });

  it('When nothing is under way, then an open card still asks every refresh, so a payment recorded in QuickBooks shows, and HubSpot re-reads the deal\'s properties once', async () => {
    let paid = false;
    stub = stubDealBooks({
      [SUMMARY]: () => ({ status: 200, body: summary({ invoices: [paid ? invoice({ status: 'partially_paid', balanceCents: 30_000, balance: '$300.00', amountPaidCents: 20_000, amountPaid: '$200.00' }) : invoice()], allowedActions: [] }) }),
    });
    const card = renderCard({ refreshMs: 30 });
    await card.says('Open');
    expect(card.renderer.mocks.actions.refreshObjectProperties.calls).toHaveLength(0);
    paid = true;
    await card.says('Partially paid');
    expect(card.text()).toContain('Amount paid\n$200.00');
    await sleep(100);
    expect(card.renderer.mocks.actions.refreshObjectProperties.calls).toHaveLength(1);
  });

  it("When the person edits the deal's stage, amount or close date on the record, then the card reads at once and follows at the poll rate for a while, then slows down again", async () => {
    let reads = 0;
    stub = stubDealBooks({ [SUMMARY]: () => (++reads, { status: 200, body: summary() }) });
    const card = renderCard({ pollMs: 20, refreshMs: 60_000, followMs: 200 });
    await card.says('No invoice or estimate yet');
    const subscriptions = card.renderer.mocks.actions.onCrmPropertiesUpdate.calls;
    expect(subscriptions).toHaveLength(1);
    const [properties, notify] = subscriptions[0]! as [string[], (changed: Record<string, string>) => void];
    expect(properties).toEqual(['dealstage', 'amount', 'closedate']);
    await sleep(100);
    expect(reads).toBe(1);
    notify({ dealstage: 'closedwon' });
    // At the poll rate for the 200 ms window: several reads, not one per refresh.
    await eventually(() => expect(reads).toBeGreaterThanOrEqual(4), 1_000);
    await sleep(300);
    const afterWindow = reads;
    await sleep(200);
    expect(reads).toBe(afterWindow);
  });

  it('When the card is closed while work is running, then it stops asking', async () => {
    const running = summary({ pending: [{ ...outage, status: 'running', waitingFor: null, nextAttemptAt: null }], allowedActions: [] });
    let reads = 0;
    stub = stubDealBooks({ [SUMMARY]: () => (reads++, { status: 200, body: running }) });
    const card = renderCard({ pollMs: 20 });
    await eventually(() => expect(reads).toBeGreaterThanOrEqual(2));
    card.close();
    const atClose = reads;
    await sleep(150);
    expect(reads).toBe(atClose);
  });
});

describe('The deal card and the customer', () => {
  it('When the customer is linked, then it names the customer, links into QuickBooks and says how it was matched and how sure', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary() } });
    const card = renderCard();
    await card.says('Matched by email, 95% sure');
    expect(card.text()).not.toContain('Last heard from QuickBooks');
    expect(card.renderer.find(Link, (l) => l.text === 'Larkspur Paying Co').props.href).toEqual({ url: 'https://app.qbo.example/app/customerdetail?nameId=58', external: true });
  });

  it('When DealBooks has heard from QuickBooks, then the card says when and what, in the account\'s time zone', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ lastHeardFromQuickBooks: { at: '2026-11-30T09:15:00.000Z', what: 'Payment 77 updated' } }) } });
    const card = renderCard({ timeZone: 'America/Chicago' });
    await card.says(/Last heard from QuickBooks: Nov 30, 03:15 America\/Chicago time \(Payment 77 updated\)/);
  });

  const unsure = summary({
    customer: {
      state: 'needs_confirmation',
      candidates: [
        { id: '58', displayName: 'Larkspur Paying Co', email: 'ap@larkspur.example', score: 0.92, reason: 'email' },
        { id: '61', displayName: 'Larkspur Co.', email: null, score: 0.71, reason: 'fuzzy' },
      ],
    },
    problems: [{ code: 'customer_needs_confirmation', message: 'DealBooks is not sure which QuickBooks customer this deal is billed to. Choose one on the card.' }],
    allowedActions: ['confirm_customer'],
  });

  it('When DealBooks is not sure of the customer, then it lists the candidates with their scores, and "Use this customer" confirms that one', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: unsure },
      'POST /api/deals/123/customer': { status: 200, body: { customer: { state: 'linked', id: '61', displayName: 'Larkspur Co.', method: 'manual', confidence: 1 }, requeuedActionId: null } },
    });
    const card = renderCard();
    await card.says('Which QuickBooks customer is this deal billed to?');
    expect(card.text()).toContain('Larkspur Paying Co\n92% match, same email (ap@larkspur.example)');
    expect(card.text()).toContain('Larkspur Co.\n71% match, similar name');
    expect(card.text()).toContain('DealBooks is not sure which QuickBooks customer this deal is billed to. Choose one on the card.');
    expect(card.buttons()).toEqual(['Use this customer', 'Use this customer', 'Create a new customer']);
    stub.set(SUMMARY, { status: 200, body: summary({ customer: { state: 'linked', id: '61', displayName: 'Larkspur Co.', method: 'manual', confidence: 1, url: null } }) });
    const second = card.renderer.findAll(Button, (b) => b.text === 'Use this customer')[1]!;
    second.trigger('onClick');
    await card.says('Confirmed by a person, 100% sure');
    expect(stub.calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/deals/123/customer', body: { customerId: '61' } }]);
  });

  it('When DealBooks is not sure of the customer, then "Create a new customer" asks DealBooks to create one', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: unsure }, 'POST /api/deals/123/customer': { status: 200, body: { customer: { state: 'will_create' }, requeuedActionId: 9 } } });
    const card = renderCard();
    await card.says('Which QuickBooks customer is this deal billed to?');
    card.click('Create a new customer');
    await eventually(() => expect(stub.calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/deals/123/customer', body: { create: true } }]));
  });

  it('When the deal\'s company was merged in HubSpot into one billed to another customer, then the card says so and "Bill to … instead" chooses that customer', async () => {
    const partyMerge = { message: 'The company this deal is billed for was merged in HubSpot into one that uses the QuickBooks customer "Pemberly Looms". This deal is still billed to "Larkspur Paying Co"; nothing was merged in QuickBooks.', other: { id: '77', displayName: 'Pemberly Looms' } };
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ customer: { ...(summary().customer as Extract<ReturnType<typeof summary>['customer'], { state: 'linked' }>), partyMerge }, allowedActions: ['confirm_customer'] }) },
      'POST /api/deals/123/customer': { status: 200, body: { customer: { state: 'linked', id: '77', displayName: 'Pemberly Looms', method: 'manual', confidence: 1 }, requeuedActionId: null } },
    });
    const card = renderCard();
    await card.says('Merged in HubSpot');
    expect(card.text()).toContain(partyMerge.message);
    card.click('Bill to Pemberly Looms instead');
    await eventually(() => expect(stub.calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/deals/123/customer', body: { customerId: '77' } }]));
  });

  it('When merged deals left the deal with two invoices, then a warning says so in DealBooks\' words', async () => {
    const message = 'This deal has 2 QuickBooks invoices (1042 and 1043): deal 99 was merged into it, and each had its own. QuickBooks keeps both; if the sale was billed twice, void the extra invoice in QuickBooks.';
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ invoices: [invoice(), invoice({ id: '131', docNumber: '1043' })], merge: { mergedDealIds: ['99'], message } }) } });
    const card = renderCard();
    await card.says('Deals merged: more than one invoice');
    expect(card.text()).toContain(message);
  });

  it('When the user may not choose the customer, then the candidates are shown without buttons', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: { ...unsure, allowedActions: [] } } });
    const card = renderCard();
    await card.says('Someone allowed to create invoices can choose the customer.');
    expect(card.buttons()).toEqual([]);
  });
});

describe('The deal card when DealBooks refuses an action', () => {
  it('When DealBooks answers 409 to "Convert to invoice", then the card shows DealBooks\' own words', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ estimates: [estimate()], allowedActions: ['convert_estimate'] }) },
      'POST /api/estimates/131/convert': { status: 409, body: { error: { code: 'conflict', message: 'Estimate 1043 was rejected in QuickBooks; it cannot be converted.' } } },
    });
    const card = renderCard();
    await card.says('Convert to invoice');
    card.click('Convert to invoice');
    await card.says('DealBooks did not do that');
    expect(card.text()).toContain('Estimate 1043 was rejected in QuickBooks; it cannot be converted.');
  });
});

describe('The deal card when its reads overlap', () => {
  it('When an older summary answer arrives after a newer one, then the card keeps showing the newer', async () => {
    const older = summary({ estimates: [estimate()], allowedActions: ['convert_estimate'] });
    const newer = summary({ invoices: [invoice()], estimates: [estimate({ status: 'converted' })], allowedActions: [] });
    let reads = 0;
    let answerSlowRead: (body: unknown) => void = () => {};
    stub = stubDealBooks({ 'POST /api/estimates/131/convert': { status: 202, body: { status: 'queued' } } });
    const stubbed = (globalThis as any).self.hsFetch;
    (globalThis as any).self.hsFetch = async (url: string, init: { method?: string } = {}) => {
      if (!url.endsWith('/api/deals/123/summary')) return stubbed(url, init);
      reads += 1;
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
      if (reads === 1) return json(older);
      // The refresh timer's read is slow; it answers what was true before the press.
      if (reads === 2) return new Promise((resolve) => (answerSlowRead = (body) => resolve(json(body))));
      // The read after the press answers at once; later reads never answer, so what shows stays put.
      if (reads === 3) return json(newer);
      return new Promise(() => {});
    };
    const card = renderCard({ refreshMs: 30 });
    await card.says('Convert to invoice');
    await eventually(() => expect(reads).toBe(2));
    card.click('Convert to invoice');
    await card.says('1042');
    answerSlowRead(older);
    await sleep(50);
    expect(card.text()).toContain('1042');
    expect(card.button('Convert to invoice')).toBeNull();
  });
});
