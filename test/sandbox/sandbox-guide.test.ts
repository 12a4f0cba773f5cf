import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { QBO_CHANGE_QUEUE } from '../../server/src/jobs/qbo-change-jobs';
import { DEMO_USERS } from '../simulators/hubspot';
import { DATABASE_KIND } from '../support/harness';
import { useForAll } from '../support/shared-setup';
import { startWorld } from '../support/world';

/**
 * The start-up guide's calls work as printed, on a sandbox as `npm start` leaves it (installed, connected, auto-invoice
 * turned on): winning the named deal creates its invoice, and card requests come from a real user of the demo account.
 */
describe(`sandbox guide (${DATABASE_KIND})`, () => {
  const world = useForAll(
    'a connected sandbox world',
    async () => {
      const w = await startWorld();
      await w.sandbox.connect(w.baseUrl);
      return w;
    },
    (w) => w.close(),
  );

  /** The JSON body of a printed `curl ... -d '<json>'` line. */
  const curlBody = (line: string) => JSON.parse(/-d '(.*)'/.exec(line)![1]!);
  const guideLine = async (prefix: string) => (await world.sandbox.guide(world.baseUrl)).find((l) => l.startsWith(prefix))!;
  const drain = async () => {
    await world.control('hubspot', '/webhooks/flush', {});
    await world.control('quickbooks', '/webhooks/flush', {});
    for (const queue of [QBO_CHANGE_QUEUE, DEAL_WORK_QUEUE]) {
      for (let i = 0; i < 50; i++) {
        const outcome = await world.ctx.jobs.runNext(queue, { ignoreStartAfter: true });
        if (outcome === 'idle' || outcome === 'waiting') break;
      }
    }
  };

  it('When the guide\'s "win a deal" and "record a payment" calls are made as printed, then the deal gets its invoice, the card shows it, and the payment comes back to the deal', async () => {
    const win = await guideLine('Win a deal');
    const [, url] = /curl -X PATCH (\S+) /.exec(win)!;
    const dealId = url!.split('/').pop()!;
    const patched = await fetch(url!, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(curlBody(win)) });
    expect(patched.status).toBe(200);
    await drain();
    const invoices = await world.control('quickbooks', `/quickbooks/companies/${world.sandbox.quickbooks.realmId}/Invoice`);
    expect(invoices).toHaveLength(1);
    await world.clock.advance(1000);
    const open = curlBody((await guideLine('Open the deal card')).replace(/\/api\/deals\/\d+\//, `/api/deals/${dealId}/`));
    const summary = await world.control('hubspot', '/card-requests', open);
    expect(summary.status).toBe(200);
    expect(summary.body.invoices).toEqual([expect.objectContaining({ id: invoices[0].Id })]);

    // The guide's payment, as printed with the invoice's id: QuickBooks' webhook brings it back to the deal.
    const payment = await guideLine('Record a payment');
    const [, payUrl] = /curl -X POST (\S+) /.exec(payment)!;
    const paid = await fetch(payUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...curlBody(payment), invoiceId: invoices[0].Id }) });
    expect(paid.status).toBe(200);
    await drain();
    const deal = await world.control('hubspot', `/hubspot/accounts/${world.sandbox.hubspot.portalId}/objects/deals/${dealId}`);
    expect(deal.properties).toMatchObject({ dealbooks_invoice_status: 'partially_paid', dealbooks_amount_paid: '100' });
  });

  it('When only some users may create documents, then the guide\'s card calls act as the demo user who installed DealBooks, and another user can be named by email', async () => {
    const portalId = world.sandbox.hubspot.portalId;
    await world.clock.advance(1000);
    const current = await world.card({ portalId, method: 'GET', path: '/api/settings' });
    await world.clock.advance(1000);
    const saved = await world.card({ portalId, method: 'PUT', path: '/api/settings', body: { settings: { ...current.body.settings, creators: [String(DEMO_USERS.ada.userId)] }, version: current.body.version } });
    expect(saved.status).toBe(200);
    const open = curlBody(await guideLine('Open the deal card'));
    const dealId = /\/api\/deals\/(\d+)\//.exec(open.url)![1];
    const create = { ...open, method: 'POST', url: `/api/deals/${dealId}/estimates`, body: {} };
    await world.clock.advance(1000);
    const asDefault = await world.control('hubspot', '/card-requests', create);
    expect(asDefault.status).toBe(202);
    expect(asDefault.attempts[0].url).toContain(`userId=${DEMO_USERS.ada.userId}&userEmail=${encodeURIComponent(DEMO_USERS.ada.userEmail)}`);
    await world.clock.advance(1000);
    const asGrace = await world.control('hubspot', '/card-requests', { ...create, userEmail: DEMO_USERS.grace.userEmail });
    expect(asGrace.status).toBe(403);
    expect(asGrace.attempts[0].url).toContain(`userId=${DEMO_USERS.grace.userId}&`);
  });

  it('When a card request arrives unsigned, then the 401 says how to have the HubSpot simulator sign it, and that call works', async () => {
    const unsigned = await fetch(`${world.baseUrl}/api/quickbooks/status?portalId=${world.sandbox.hubspot.portalId}`);
    expect(unsigned.status).toBe(401);
    const message = ((await unsigned.json()) as { error: { message: string } }).error.message;
    expect(message).toContain(`curl -X POST ${world.sandbox.hubspot.url}/_sim/card-requests`);
    await world.clock.advance(1000);
    const suggested = await world.control('hubspot', '/card-requests', JSON.parse(/-d '(.*?)'/.exec(message)![1]!));
    expect(suggested).toMatchObject({ status: 200, body: { status: 'connected' } });
  });
});
