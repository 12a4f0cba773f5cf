import { makeDeal, qboMark, qboRecord, qboWritesSince, useQ2C } from './support';

/**
 * What can be known when a person presses a button is answered then, with a 4xx and words, rather than a 202 and a
 * failure found later; and the card does not offer what would be refused.
 */
describe('Press checks: refused at the press, in words', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When the card asks about a deal id HubSpot does not know, then the preview and "Create invoice" answer 404 saying so, and nothing is queued', async () => {
    const unknown = '99999999901';
    const preview = await q.card('GET', `/api/deals/${unknown}/preview`);
    expect(preview.status).toBe(404);
    expect(preview.body.error.message).toBe(
      `HubSpot has no deal ${unknown} in this account; it may have been deleted or merged into another deal. Open the deal that remains and create the invoice from there.`,
    );

    const mark = await qboMark(q);
    const pressed = await q.card('POST', `/api/deals/${unknown}/invoices`, {});
    expect(pressed.status).toBe(404);
    expect(pressed.body.error.message).toMatch(new RegExp(`^HubSpot has no deal ${unknown} in this account`));
    const summary = await q.card('GET', `/api/deals/${unknown}/summary`);
    expect(summary.body.pending).toEqual([]);
    await q.drain();
    expect(await qboWritesSince(q, mark)).toEqual([]);
  });

  it('When an invoice has no address to email it to, then the card does not offer Send and pressing it answers 422 with what to do; with an address it is queued', async () => {
    const { dealId } = await makeDeal(q, {
      name: 'No email deal',
      company: 'Quietwater Sawmill',
      contacts: [{ firstname: 'Nora', lastname: 'Nomail' }],
      lines: [{ name: 'Planks', price: '40', quantity: '5' }],
    });
    const pressed = await q.card('POST', `/api/deals/${dealId}/invoices`, {});
    expect(pressed.status).toBe(202);
    await q.drain();
    const summary = (await q.card('GET', `/api/deals/${dealId}/summary`)).body;
    expect(summary.invoices).toHaveLength(1);
    const invoice = summary.invoices[0];
    expect((await qboRecord(q, 'Invoice', invoice.id)).BillEmail).toBeUndefined();
    expect(invoice.billEmail).toBeNull();
    expect(summary.allowedActions).not.toContain('send_invoice');

    const send = await q.card('POST', `/api/invoices/${invoice.id}/send`, {});
    expect(send.status).toBe(422);
    expect(send.body.error.code).toBe('no_bill_email');
    expect(send.body.error.message).toMatch(/has no email address to send it to.*Add an email to the deal's contact in HubSpot/);
    expect((await q.card('GET', `/api/deals/${dealId}/summary`)).body.pending).toEqual([]);

    const sendTo = await q.card('POST', `/api/invoices/${invoice.id}/send`, { sendTo: 'ap@quietwater.example' });
    expect(sendTo.status).toBe(202);
    await q.drain();
    expect((await qboRecord(q, 'Invoice', invoice.id)).EmailStatus).toBe('EmailSent');
  });

  it('When several QuickBooks customers match the company equally, then the card says they tie and asks which one, not "closest matches at 100%"', async () => {
    const { dealId } = await makeDeal(q, {
      name: 'Tie deal',
      company: 'ABC Corporation',
      contacts: [{ firstname: 'Tia', lastname: 'Tie', email: 'tia@abccorp.example' }],
      lines: [{ name: 'Consulting', price: '100', quantity: '1' }],
    });
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.status).toBe(200);
    const problem = preview.body.problems.find((p: any) => p.code === 'customer_needs_confirmation');
    expect(problem.message).toMatch(/^\d QuickBooks customers match “ABC Corporation” equally well: .*“ABC LLC”.*DealBooks cannot tell which one this deal bills; choose the right customer on the deal card/);
    expect(problem.message).not.toMatch(/closest/);
    expect(problem.subject.tie).toBe('true');
  });
});
