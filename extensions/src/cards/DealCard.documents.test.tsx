import { Button, Input, Link, Modal, Panel, StatusTag } from '@hubspot/ui-extensions';
import { estimate, invoice, preview, readText, stubDealBooks, summary } from './__tests__/fixtures';
import { closeCards, eventually, renderCard } from './__tests__/render';
import { sendModalId } from './SendInvoice';
import { previewPanelId } from './PreviewPanel';

/** The deal card's invoices and estimates, and the presses that make and send them. */
const SUMMARY = 'GET /api/deals/123/summary';
let stub: ReturnType<typeof stubDealBooks>;
afterEach(() => {
  closeCards();
  stub?.restore();
});

describe('The deal card shows invoices as QuickBooks has them', () => {
  it.each([
    ['paid', 'Paid', 'success'],
    ['partially_paid', 'Partially paid', 'warning'],
    ['overdue', 'Overdue', 'danger'],
    ['open', 'Open', 'info'],
    ['credited', 'Credited', 'default'],
    ['voided', 'Voided', 'default'],
    ['deleted', 'Deleted in QuickBooks', 'default'],
  ])('When an invoice is %s, then its StatusTag reads "%s" in the %s colour', async (status, label, variant) => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ invoices: [invoice({ status })], allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Invoice 1042');
    const tag = card.renderer.find(StatusTag);
    expect(tag.text).toBe(label);
    expect(tag.props.variant).toBe(variant);
  });

  it('When an invoice is part paid and late, then it shows its number linking into QuickBooks, total, balance, amount paid, due date, days overdue and each payment', async () => {
    const late = invoice({
      status: 'partially_paid',
      daysOverdue: 12,
      amountPaidCents: 20_000,
      amountPaid: '$200.00',
      balanceCents: 30_000,
      balance: '$300.00',
      dueDate: '2026-11-21',
      payments: [
        { id: 'p1', date: '2026-11-25', amountCents: 20_000, amount: '$200.00', creditCents: 0, credit: null, method: 'Check', reference: '1001', state: 'active' },
        { id: 'p2', date: '2026-11-26', amountCents: 0, amount: '$0.00', creditCents: 0, credit: null, method: null, reference: null, state: 'voided' },
      ],
    });
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ invoices: [late], allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Invoice 1042');
    expect(card.renderer.find(Link, (l) => l.text === 'Invoice 1042').props.href).toEqual({ url: 'https://app.qbo.example/app/invoice?txnId=130', external: true });
    expect(card.text()).toContain(['Invoice 1042', 'Partially paid', 'Total', '$500.00', 'Balance', '$300.00', 'Amount paid', '$200.00', 'Due date', '2026-11-21', '12 days overdue'].join('\n'));
    expect(card.text()).toContain(['Payments', '2026-11-25 · $200.00 · Check · ref 1001', '2026-11-26 · $0.00 (voided in QuickBooks)'].join('\n'));
  });

  it('When QuickBooks\' total no longer matches the deal\'s line items, then a warning says so in DealBooks\' words', async () => {
    const edited = invoice({ totalMismatch: "The total in QuickBooks ($600.00) no longer matches the deal's line items ($500.00)." });
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ invoices: [edited], allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Changed in QuickBooks');
    expect(card.text()).toContain("The total in QuickBooks ($600.00) no longer matches the deal's line items ($500.00).");
  });
});

describe('The deal card shows estimates and converts them', () => {
  it.each([
    ['pending', 'Pending', 'info'],
    ['accepted', 'Accepted', 'success'],
    ['rejected', 'Rejected', 'danger'],
    ['closed', 'Closed', 'default'],
    ['converted', 'Converted to invoice', 'success'],
  ])('When an estimate is %s, then its StatusTag reads "%s" in the %s colour', async (status, label, variant) => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ estimates: [estimate({ status })], allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Estimate 1043');
    expect(card.renderer.find(StatusTag).text).toBe(label);
    expect(card.renderer.find(StatusTag).props.variant).toBe(variant);
  });

  it('When converting is allowed, then "Convert to invoice" asks DealBooks to convert that estimate; when it is not, there is no button', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ estimates: [estimate({ status: 'accepted' })], allowedActions: ['convert_estimate'] }) },
      'POST /api/estimates/131/convert': { status: 202, body: { status: 'queued', alreadyQueued: false } },
    });
    const card = renderCard();
    await card.says('Estimate 1043');
    card.click('Convert to invoice');
    await eventually(() => expect(stub.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/estimates/131/convert']));

    closeCards();
    stub.set(SUMMARY, { status: 200, body: summary({ estimates: [estimate({ status: 'accepted' })], allowedActions: [] }) });
    const other = renderCard();
    await other.says('Estimate 1043');
    expect(other.button('Convert to invoice')).toBeNull();
  });

  it('When an estimate was converted, then it names the invoice it became', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ estimates: [estimate({ status: 'converted', convertedInvoice: { id: '140', docNumber: '1050' } })], allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Converted to invoice 1050');
  });
});

describe('The deal card creates a document only after its preview is confirmed', () => {
  it('When "Create invoice" is pressed, then the preview shows the customer, lines with items and tax codes, totals, terms, due date and what QuickBooks adds; nothing is created until "Create invoice in QuickBooks"', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary() },
      'GET /api/deals/123/preview?kind=invoice': { status: 200, body: preview() },
      'POST /api/deals/123/invoices': { status: 202, body: { status: 'queued', alreadyQueued: false } },
    });
    const card = renderCard();
    await card.says('Create invoice');
    // The press opens the panel (the Button's overlay); HubSpot then calls the panel's onOpen.
    const panel = () => card.renderer.find(Panel, { id: previewPanelId('invoice') });
    expect(card.button('Create invoice')!.props.overlay).toBeDefined();
    panel().trigger('onOpen');
    await card.renderer.waitFor(() => expect(readText(panel())).toContain('Lines'));
    const words = readText(panel());
    expect(words).toContain('Customer\nLarkspur Paying Co (matched by email, 95% sure)');
    expect(words).toContain('Terms\nNet 30\nDue date\n2026-12-20');
    expect(words).toContain(['Licences: Annual licence', '2', '250.00', '$500.00', 'TAX'].join('\n'));
    expect(words).toContain('Subtotal\n$500.00\nTotal before tax\n$500.00');
    expect(words).toContain('QuickBooks adds sales tax when it creates the invoice');
    expect(words).toContain('QuickBooks gives the invoice its number when it is created.');
    expect(words).toContain('The invoice is not emailed until someone presses Send (it will go to ap@larkspur.example).');
    expect(stub.calls.filter((c) => c.method === 'POST')).toEqual([]);

    card.click('Create invoice in QuickBooks');
    await eventually(() => expect(stub.calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/deals/123/invoices', body: {} }]));
    await eventually(() => expect(card.renderer.mocks.actions.closeOverlay.calls).toEqual([[previewPanelId('invoice')]]));
  });

  it('When DealBooks answers that the document already exists (200 "exists"), then the card says so with its number', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary() },
      'GET /api/deals/123/preview?kind=invoice': { status: 200, body: preview() },
      'POST /api/deals/123/invoices': { status: 200, body: { status: 'exists', document: { id: '130', docNumber: '1042', url: null } } },
    });
    const card = renderCard();
    await card.says('Create invoice');
    const panel = () => card.renderer.find(Panel, { id: previewPanelId('invoice') });
    panel().trigger('onOpen');
    await card.renderer.waitFor(() => expect(readText(panel())).toContain('Lines'));
    card.click('Create invoice in QuickBooks');
    await card.says('Invoice 1042 already exists in QuickBooks; nothing new was created.');
    expect(card.text()).toContain('Already in QuickBooks');
  });

  it('When converting answers that the deal already has its invoice, then the card names that invoice', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ estimates: [estimate({ status: 'accepted' })], allowedActions: ['convert_estimate'] }) },
      'POST /api/estimates/131/convert': { status: 200, body: { status: 'exists', document: { id: '130' } } },
    });
    const card = renderCard();
    await card.says('Estimate 1043');
    card.click('Convert to invoice');
    await card.says('This deal already has invoice 130 in QuickBooks; the estimate was not converted again.');
  });

  it('When the preview has problems, then each is shown in DealBooks\' words and creating is not offered', async () => {
    const blocked = preview({
      problems: [{ code: 'unmapped_product', message: 'Product "Widget" has no QuickBooks item. Map it in DealBooks settings, or set a default item.' }],
      document: null,
      customer: { state: 'will_create', displayName: 'Widget Buyers (2)', email: null, requestedName: 'Widget Buyers', message: '“Widget Buyers” is already used in QuickBooks by a vendor, an employee or another customer (QuickBooks names are unique across them), so the new customer will be “Widget Buyers (2)”.' },
    });
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary() }, 'GET /api/deals/123/preview?kind=estimate': { status: 200, body: { ...blocked, kind: 'estimate' } } });
    const card = renderCard();
    await card.says('Create estimate');
    const panel = () => card.renderer.find(Panel, { id: previewPanelId('estimate') });
    panel().trigger('onOpen');
    await card.renderer.waitFor(() => expect(readText(panel())).toContain('A product has no QuickBooks item'));
    expect(readText(panel())).toContain('Product "Widget" has no QuickBooks item. Map it in DealBooks settings, or set a default item.');
    expect(readText(panel())).toContain('New customer “Widget Buyers (2)”');
    expect(readText(panel())).toContain('Fix the problems above first.');
    expect(card.button('Create estimate in QuickBooks')!.props.disabled).toBe(true);
  });

  it('When DealBooks refuses the create (403), then the card shows its words', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary() },
      'GET /api/deals/123/preview?kind=invoice': { status: 200, body: preview() },
      'POST /api/deals/123/invoices': { status: 403, body: { error: { code: 'forbidden', message: 'Your DealBooks settings allow only some users to create invoices and estimates. Ask a DealBooks admin to add you.' } } },
    });
    const card = renderCard();
    await card.says('Create invoice');
    card.renderer.find(Panel, { id: previewPanelId('invoice') }).trigger('onOpen');
    await card.renderer.waitFor(() => expect(card.button('Create invoice in QuickBooks')!.props.disabled).toBe(false));
    card.click('Create invoice in QuickBooks');
    await card.says('Your DealBooks settings allow only some users to create invoices and estimates. Ask a DealBooks admin to add you.');
  });

  it('When the preview cannot be made, then the panel says why in DealBooks\' words and Retry asks again', async () => {
    let tries = 0;
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary() },
      'GET /api/deals/123/preview?kind=invoice': () =>
        ++tries === 1 ? { status: 504, body: { error: { code: 'upstream_slow', message: 'The preview is taking longer than 10 s (QuickBooks or HubSpot is slow). Try again in a minute.' } } } : { status: 200, body: preview() },
    });
    const card = renderCard();
    await card.says('Create invoice');
    const panel = () => card.renderer.find(Panel, { id: previewPanelId('invoice') });
    panel().trigger('onOpen');
    await card.renderer.waitFor(() => expect(readText(panel())).toContain('The preview could not be made\nThe preview is taking longer than 10 s (QuickBooks or HubSpot is slow). Try again in a minute.'));
    expect(card.button('Create invoice in QuickBooks')!.props.disabled).toBe(true);
    panel().find(Button, (b) => b.text === 'Retry').trigger('onClick');
    await card.renderer.waitFor(() => expect(readText(panel())).toContain('Lines'));
    expect(card.button('Create invoice in QuickBooks')!.props.disabled).toBe(false);
  });

  it('When creating is not allowed, then neither "Create invoice" nor "Create estimate" is offered', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ allowedActions: [] }) } });
    const card = renderCard();
    await card.says('Nothing has been created in QuickBooks for this deal.');
    expect(card.buttons()).toEqual([]);
  });
});

describe('The deal card sends an invoice to the address the person confirms', () => {
  const open = summary({ invoices: [invoice()], allowedActions: ['send_invoice'] });

  it('When "Send invoice" is pressed, then it asks to whom with the invoice\'s address filled in; a wrong address is refused before the press; the address typed is sent', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: open }, 'POST /api/invoices/130/send': { status: 202, body: { status: 'queued', alreadyQueued: false, sendTo: { address: 'billing@larkspur.example', source: 'chosen' } } } });
    const card = renderCard();
    await card.says('Send invoice');
    const modal = () => card.renderer.find(Modal, { id: sendModalId('130') });
    expect(readText(modal())).toContain('QuickBooks will email invoice 1042 ($500.00 due) to this address.\nSend to\nap@larkspur.example');
    // Typing (onInput; onChange only comes when the field is left) already decides whether Send can be pressed.
    modal().find(Input).trigger('onInput', 'billing@larkspur' as never);
    await card.renderer.waitFor(() => expect(card.button('Send')!.props.disabled).toBe(true));
    expect(readText(modal())).not.toContain('Enter an email address');
    modal().find(Input).trigger('onBlur', 'billing@larkspur' as never);
    await card.renderer.waitFor(() => expect(readText(modal())).toContain('Enter an email address, like name@example.com.'));
    modal().find(Input).trigger('onInput', 'billing@larkspur.example' as never);
    await card.renderer.waitFor(() => expect(card.button('Send')!.props.disabled).toBe(false));
    expect(readText(modal())).not.toContain('Enter an email address');
    card.click('Send');
    await eventually(() => expect(stub.calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/invoices/130/send', body: { sendTo: 'billing@larkspur.example' } }]));
  });

  it('When DealBooks refuses the send (422: no address), then the modal closes and the card shows DealBooks\' words', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: open },
      'POST /api/invoices/130/send': { status: 422, body: { error: { code: 'no_bill_email', message: 'Invoice 1042 has no email address to send to. Add one to the customer in QuickBooks, or type one when you press Send.' } } },
    });
    const card = renderCard();
    await card.says('Send invoice');
    card.click('Send');
    await card.says('Invoice 1042 has no email address to send to. Add one to the customer in QuickBooks, or type one when you press Send.');
    await eventually(() => expect(card.renderer.mocks.actions.closeOverlay.calls).toEqual([[sendModalId('130')]]));
  });

  it('When the invoice asks for no money or sending is not allowed, then "Send invoice" is not offered', async () => {
    stub = stubDealBooks({ [SUMMARY]: { status: 200, body: summary({ invoices: [invoice({ status: 'paid' })], allowedActions: ['send_invoice'] }) } });
    const card = renderCard();
    await card.says('Paid');
    expect(card.button('Send invoice')).toBeNull();
    closeCards();
    stub.set(SUMMARY, { status: 200, body: summary({ invoices: [invoice()], allowedActions: [] }) });
    const other = renderCard();
    await other.says('Open');
    expect(other.button('Send invoice')).toBeNull();
  });
});

describe('The deal card shows every problem with its fix', () => {
  it('When no customer can be billed, then the Alert says how in DealBooks\' words and offers no button: creating one there would override finance\'s "Create customers" setting', async () => {
    stub = stubDealBooks({
      [SUMMARY]: {
        status: 200,
        body: summary({
          customer: { state: 'none' },
          problems: [
            { code: 'customer_missing', message: 'The deal has no company or contact to bill. Add one in HubSpot, or let DealBooks create a customer.' },
            { code: 'closed_period', message: 'The transaction date 2026-10-01 is in a closed period in QuickBooks (books closed through 2026-10-31). Ask your accountant to reopen the period.' },
          ],
          allowedActions: ['confirm_customer'],
        }),
      },
    });
    const card = renderCard();
    await card.says('No customer to bill');
    expect(card.text()).toContain('No customer to bill\nThe deal has no company or contact to bill. Add one in HubSpot, or let DealBooks create a customer.');
    expect(card.text()).toContain('The books are closed for that date\nThe transaction date 2026-10-01 is in a closed period in QuickBooks (books closed through 2026-10-31). Ask your accountant to reopen the period.');
    expect(card.buttons()).toEqual([]);
  });

  it('When the problem is a lost QuickBooks connection and the user may reconnect, then its Alert offers "Reconnect QuickBooks"', async () => {
    stub = stubDealBooks({
      [SUMMARY]: { status: 200, body: summary({ problems: [{ code: 'quickbooks_needs_reconnect', message: 'QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.' }], allowedActions: ['reconnect_quickbooks'] }) },
    });
    const card = renderCard();
    await card.says('QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.\nReconnect QuickBooks');
    expect(card.renderer.findAll(Button).map((b) => b.text)).toEqual(['Reconnect QuickBooks']);
  });
});
