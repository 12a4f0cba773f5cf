import { Link, Panel } from '@hubspot/ui-extensions';
import { previewPanelId } from '../../extensions/src/cards/PreviewPanel';
import { readText } from '../../extensions/src/cards/__tests__/fixtures';
import { closeCards, eventually, renderCard } from '../../extensions/src/cards/__tests__/render';
import { invoicedDeal, hearFromQbo, pay } from '../quote-to-cash/support-money';
import { newDeal, newEstimate } from '../quote-to-cash/support-once';
import { makeDeal, otherAccount, useQ2C } from '../quote-to-cash/support';
import { bridgeTo, installHsFetch, type Bridge } from './support';
import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';

/**
 * The deal card against a running DealBooks: HubSpot's renderer draws it, and its hubspot.fetch goes through the
 * HubSpot simulator's signer to DealBooks, which works against the QuickBooks simulator. No answer is hand-made;
 * the test plays the rep (presses on the card), the job queue (drain) and the bookkeeper (payments in QuickBooks).
 */
const WAIT = 15_000;
let restore: () => void = () => {};
afterEach(() => {
  closeCards();
  restore();
});

function openCard(q: Parameters<typeof bridgeTo>[0], dealId: string, options: { refreshMs?: number; timeZone?: string } = {}): ReturnType<typeof renderCard> & { bridge: Bridge } {
  const bridge = bridgeTo(q);
  restore = installHsFetch(bridge.hsFetch);
  return { ...renderCard({ dealId, pollMs: 50, refreshMs: options.refreshMs ?? 600_000, timeZone: options.timeZone }), bridge };
}

const posts = (bridge: Bridge) => bridge.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.status}`);

describe('The deal card against DealBooks and the simulators', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When a rep presses "Create invoice", then the preview comes from DealBooks, nothing is written until the rep confirms, the work shows while it runs, and the invoice appears with the deal\'s properties refreshed', async () => {
    const deal = await newDeal(q, { name: 'Card invoice deal', company: 'Wrenfield Card Goods' });
    const card = openCard(q, deal.dealId);
    await card.says('Create invoice', WAIT);
    const panel = () => card.renderer.find(Panel, { id: previewPanelId('invoice') });
    panel().trigger('onOpen');
    await card.renderer.waitFor(() => expect(readText(panel())).toContain('Lines'), { timeoutInMs: WAIT });
    expect(readText(panel())).toContain('Customer\nNew customer “Wrenfield Card Goods”');
    expect(readText(panel())).toMatch(/Survey[^\n]*\n2\n250(\.00)?\n\$500\.00\n/);
    expect(readText(panel())).toContain('Total before tax\n$500.00');
    expect(posts(card.bridge)).toEqual([]);
    expect(await q.qbo('Invoice')).toHaveLength(0);

    card.click('Create invoice in QuickBooks');
    await eventually(() => expect(posts(card.bridge)).toEqual([`/api/deals/${deal.dealId}/invoices 202`]), WAIT);
    await card.says('Creating the invoice in QuickBooks…', WAIT);
    expect(card.renderer.mocks.actions.refreshObjectProperties.calls).toHaveLength(0);

    await q.drain();
    await card.says(/Invoice \S+\nOpen\nTotal\n\$500\.00\nBalance\n\$500\.00/, WAIT);
    // The invoice may show before the work is marked done (the card read between the two): then the spinner goes.
    await card.renderer.waitFor(() => expect(card.text()).not.toContain('Creating the invoice'), { timeoutInMs: WAIT });
    expect(card.text()).toContain('Wrenfield Card Goods\nCreated by DealBooks');
    await eventually(() => expect(card.renderer.mocks.actions.refreshObjectProperties.calls).toHaveLength(1), WAIT);
    const [invoice] = await q.qbo('Invoice');
    expect(card.renderer.find(Link, (l) => l.text === `Invoice ${invoice.DocNumber ?? invoice.Id}`).props.href).toMatchObject({ url: expect.stringContaining(invoice.Id), external: true });
  });

  it('When a rep presses "Convert to invoice" on a pending estimate, then the card shows the conversion under way and then the invoice it became', async () => {
    const deal = await newEstimate(q, { name: 'Card estimate deal', company: 'Tamsin Card Estimates' });
    const card = openCard(q, deal.dealId);
    await card.says(/Estimate \S+\nPending/, WAIT);
    card.click('Convert to invoice');
    await eventually(() => expect(posts(card.bridge)).toEqual([`/api/estimates/${deal.estimate.Id}/convert 202`]), WAIT);
    await card.says('Converting the estimate to an invoice…', WAIT);
    await q.drain();
    await card.says(/Invoice \S+\nOpen/, WAIT);
    await card.says(/Estimate \S+\nConverted to invoice\n[\s\S]*Converted to invoice \S+/, WAIT);
    expect(card.button('Convert to invoice')).toBeNull();
  });

  it('When DealBooks is not sure which customer a deal is billed to, then the card lists the candidate with its score and "Use this customer" bills it', async () => {
    const created = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Customer`, {
      DisplayName: 'Osprey Valley Surveyors',
      CompanyName: 'Osprey Valley Surveyors',
      Active: true,
      Job: false,
      CurrencyRef: { value: 'USD' },
      PrimaryEmailAddr: { Address: 'office@ospreyvalley.example' },
    });
    const surveyors = String(created.Id);
    const { dealId } = await makeDeal(q, { name: 'Osprey topo survey', company: 'Osprey Valley Surveying', lines: [{ name: 'Consulting', price: '120', quantity: '2' }] });
    expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(202);
    await q.drain();

    const card = openCard(q, dealId);
    await card.says('Which QuickBooks customer is this deal billed to?', WAIT);
    expect(card.text()).toMatch(/Osprey Valley Surveyors\n\d+% match, similar name \(office@ospreyvalley\.example\)/);
    expect(card.text()).toContain('Choose the customer');
    card.click('Use this customer');
    await eventually(() => expect(posts(card.bridge)).toEqual([`/api/deals/${dealId}/customer 200`]), WAIT);
    // The invoice that stopped to ask goes on by itself.
    await card.says('Creating the invoice in QuickBooks…', WAIT);
    await q.drain();
    await card.says(/Osprey Valley Surveyors\nConfirmed by a person/, WAIT);
    await card.says(/Invoice \S+\nOpen/, WAIT);
    const invoice = (await q.qbo('Invoice')).find((i: any) => i.CustomerRef.value === surveyors);
    expect(invoice).toBeDefined();
  });

  it('When QuickBooks does not answer, then the card says the invoice waits for QuickBooks and when DealBooks tries next, in the account\'s time zone; once QuickBooks answers, the invoice shows', async () => {
    const { dealId } = await makeDeal(q, { name: 'Card outage deal', company: 'Stormglass Card Supply', lines: [{ name: 'Sandbags', price: '12.50', quantity: '40' }] });
    await q.world.control('quickbooks', '/faults', { path: '/v3/company/', kind: 'reset', times: 1000 });
    let card: ReturnType<typeof openCard>;
    try {
      expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(202);
      expect(await q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true })).toBe('failed');
      // Work that only waits is read again at the card's slower refresh, not its poll: short here, so the test sees it.
      card = openCard(q, dealId, { timeZone: 'UTC', refreshMs: 200 });
      await card.says('Creating the invoice in QuickBooks: waiting', WAIT);
      const next: string = (await q.card('GET', `/api/deals/${dealId}/summary`)).body.pending[0].nextAttemptAt;
      expect(card.text()).toMatch(
        new RegExp(`QuickBooks is not answering: the connection to QuickBooks was reset\\. DealBooks tries again by itself\\. Next try at (\\w+ \\d+, )?${next.slice(11, 16)} UTC time\\.`),
      );
    } finally {
      await fetch(`${q.world.sandbox.quickbooks.url}/_sim/faults`, { method: 'DELETE' });
    }
    await q.drain();
    await card.says(/Invoice \S+\nOpen\nTotal\n\$500\.00/, WAIT);
    await card.renderer.waitFor(() => expect(card.text()).not.toContain('waiting'), { timeoutInMs: WAIT });
  });

  it('When the account has no QuickBooks yet, then "Connect QuickBooks" gets DealBooks\' connect link for this user and offers it', async () => {
    const other = await otherAccount(q, 51_515);
    const card = openCard(other, '1');
    await card.says('QuickBooks is not connected. Connect it in DealBooks settings.', WAIT);
    card.click('Connect QuickBooks');
    await card.says('Open QuickBooks to connect', WAIT);
    expect(posts(card.bridge)).toEqual(['/api/quickbooks/connect-url 200']);
    const href = card.renderer.find(Link, (l) => l.text === 'Open QuickBooks to connect').props.href as { url: string; external: boolean };
    expect(href.external).toBe(true);
    expect(href.url).toMatch(/\/oauth\/quickbooks\/connect\?ticket=/);
  });

  it('When the customer pays in QuickBooks while the card is open, then the card shows Partially paid, then Paid, with each payment', async () => {
    const deal = await invoicedDeal(q, { name: 'Card payment deal', company: 'Larch Card Payers' });
    const card = openCard(q, deal.dealId, { refreshMs: 100 });
    await card.says(/Invoice \S+\nOpen/, WAIT);

    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 200 }], { method: { value: '2', name: 'Check' }, reference: '1001' });
    await hearFromQbo(q);
    await card.says(/Partially paid\nTotal\n\$500\.00\nBalance\n\$300\.00\nAmount paid\n\$200\.00/, WAIT);
    expect(card.text()).toMatch(/Payments\n\d{4}-\d{2}-\d{2} · \$200\.00 · Check · ref 1001/);

    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 300 }]);
    await hearFromQbo(q);
    await card.says(/Paid\nTotal\n\$500\.00\nBalance\n\$0\.00\nAmount paid\n\$500\.00/, WAIT);
    expect(card.button('Send invoice')).toBeNull();
    expect(card.renderer.mocks.actions.refreshObjectProperties.calls.length).toBeGreaterThanOrEqual(2);
  });
});
