import { Button, Select } from '@hubspot/ui-extensions';
import { CONNECTED, everyAnswer, fakeDealBooks, NOT_CONNECTED, type FakeDealBooks } from './__tests__/fake-dealbooks';
import { maybeButton, press, renderPage, shows, text } from './__tests__/page-test-kit';

let fake: FakeDealBooks;
afterEach(() => fake.restore());

describe('The QuickBooks connection section', () => {
  test('When QuickBooks is connected, then the company and its state are shown with test, check, reconnect and disconnect', async () => {
    fake = fakeDealBooks(everyAnswer());
    const page = renderPage();
    await shows(page, 'Acme Books Ltd');
    expect(text(page)).toContain('Connected');
    expect(text(page)).toContain('fin@acme.test');
    for (const action of ['Reconnect QuickBooks', 'Test connection', 'Check for changes now', 'Disconnect']) expect(maybeButton(page, action)).not.toBeNull();
  });

  test('When QuickBooks is not connected, then the page says so, offers Connect and no test, and the pickers ask to connect first', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/quickbooks/status': { status: 200, body: NOT_CONNECTED } }));
    const page = renderPage();
    await shows(page, 'Not connected');
    expect(text(page)).toContain('QuickBooks is not connected. Connect QuickBooks in the DealBooks settings.');
    expect(text(page)).toContain('Connect QuickBooks to choose its terms, items, tax codes and classes.');
    expect(maybeButton(page, 'Connect QuickBooks')).not.toBeNull();
    expect(maybeButton(page, 'Test connection')).toBeNull();
    expect(fake.calls.map((c) => c.path)).not.toContain('/api/quickbooks/items');
  });

  test('When QuickBooks needs reconnecting, then the page says why and offers DealBooks’ own action, Reconnect', async () => {
    fake = fakeDealBooks(
      everyAnswer({
        'GET /api/quickbooks/status': {
          status: 200,
          body: { ...CONNECTED, status: 'needs_reconnect', problem: 'QuickBooks needs to be reconnected (invalid_grant).', action: { label: 'Reconnect QuickBooks' } },
        },
      }),
    );
    const page = renderPage();
    await shows(page, 'Needs reconnecting');
    expect(text(page)).toContain('QuickBooks needs to be reconnected (invalid_grant).');
    expect(maybeButton(page, 'Reconnect QuickBooks')).not.toBeNull();
    expect(maybeButton(page, 'Connect QuickBooks')).toBeNull();
    expect(maybeButton(page, 'Test connection')).toBeNull();
  });

  test('When Connect is pressed, then the connect URL DealBooks answers is offered as a link that opens in a new tab', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/quickbooks/status': { status: 200, body: NOT_CONNECTED } }));
    fake.on('POST /api/quickbooks/connect-url', { status: 200, body: { url: 'https://appcenter.intuit.com/connect/oauth2?state=abc', expiresAt: '2026-12-03T07:00:00Z' } });
    const page = renderPage();
    await shows(page, 'Not connected');
    press(page, 'Connect QuickBooks');
    await shows(page, 'Sign in to QuickBooks');
    const open = page.find(Button, (n) => n.text === 'Open QuickBooks sign-in');
    expect(open.props.href).toEqual({ url: 'https://appcenter.intuit.com/connect/oauth2?state=abc', external: true });
    expect(fake.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/quickbooks/connect-url']);

    // Back from QuickBooks: refreshing reads the status again, and what needs QuickBooks is read again too.
    const mappingReads = () => fake.calls.filter((c) => c.path === '/api/mappings/products').length;
    expect(mappingReads()).toBe(1);
    fake.on('GET /api/quickbooks/status', { status: 200, body: CONNECTED });
    press(page, 'Refresh status');
    await shows(page, 'Acme Books Ltd');
    await page.waitFor(() => {
      expect(mappingReads()).toBe(2);
      expect(fake.calls.filter((c) => c.path === '/api/customers/review')).toHaveLength(2);
      expect(text(page)).toContain('Consulting hour (same SKU, score 1.00)');
      expect(text(page)).toContain('Globex Corporation');
    });
    expect(fake.calls.map((c) => c.path)).toContain('/api/quickbooks/items');
  });

  test('When the status is refreshed and QuickBooks stays connected, then the sections that need QuickBooks are not read again', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/quickbooks/connect-url': { status: 200, body: { url: 'https://appcenter.intuit.com/connect/oauth2?state=x', expiresAt: '2026-12-03T07:00:00Z' } } }));
    const page = renderPage();
    await shows(page, 'Consulting hour (same SKU, score 1.00)');
    press(page, 'Reconnect QuickBooks');
    await shows(page, 'Sign in to QuickBooks');
    press(page, 'Refresh status');
    await page.waitFor(() => expect(fake.calls.filter((c) => c.path === '/api/quickbooks/status')).toHaveLength(2));
    await shows(page, 'Acme Books Ltd');
    expect(fake.calls.filter((c) => c.path === '/api/mappings/products')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path === '/api/quickbooks/items')).toHaveLength(1);
  });

  test('When the connect URL cannot be made, then DealBooks’ words are shown', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/quickbooks/status': { status: 200, body: NOT_CONNECTED } }));
    fake.on('POST /api/quickbooks/connect-url', { status: 503, body: { error: { code: 'unavailable', message: 'QuickBooks sign-in is unavailable right now.' } } });
    const page = renderPage();
    await shows(page, 'Not connected');
    press(page, 'Connect QuickBooks');
    await shows(page, 'QuickBooks sign-in is unavailable right now.');
  });

  test('When Test connection is pressed, then the answer for the company is shown; a failed test shows what to do', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/quickbooks/test': { status: 200, body: { ok: true, company: { realmId: '9130', name: 'Acme Books Ltd' } } } }));
    const page = renderPage();
    await shows(page, 'Acme Books Ltd');
    press(page, 'Test connection');
    await shows(page, 'QuickBooks answered for Acme Books Ltd.');
    fake.on('POST /api/quickbooks/test', { status: 502, body: { error: { code: 'quickbooks_failed', message: 'QuickBooks could not be reached. Try again in a few minutes.' } } });
    press(page, 'Test connection');
    await shows(page, 'QuickBooks could not be reached. Try again in a few minutes.');
  });

  test('When Disconnect is pressed, then nothing happens until the person confirms; then DealBooks’ message is shown', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/quickbooks/disconnect': { status: 200, body: { message: 'DealBooks is disconnected from Acme Books Ltd, and its access was withdrawn at Intuit.' } } }));
    const page = renderPage();
    await shows(page, 'Acme Books Ltd');
    await page.waitFor(() => expect(page.find(Select, { name: 'item-301' }).props.options.map((o) => o.label)).toContain('Services'));
    press(page, 'Disconnect');
    await shows(page, 'Disconnect QuickBooks?');
    expect(fake.calls.some((c) => c.path === '/api/quickbooks/disconnect')).toBe(false);
    press(page, 'Cancel');
    await page.waitFor(() => expect(text(page)).not.toContain('Disconnect QuickBooks?'));
    expect(fake.calls.some((c) => c.path === '/api/quickbooks/disconnect')).toBe(false);

    press(page, 'Disconnect');
    fake.on('GET /api/quickbooks/status', { status: 200, body: { ...NOT_CONNECTED, status: 'disconnected', company: CONNECTED.company } });
    press(page, 'Yes, disconnect');
    await shows(page, 'DealBooks is disconnected from Acme Books Ltd, and its access was withdrawn at Intuit.');
    await shows(page, 'Disconnected');
    expect(fake.calls.filter((c) => c.path === '/api/quickbooks/disconnect')).toHaveLength(1);
    // The disconnected company's items are no longer offered for mapping products.
    await page.waitFor(() => expect(page.find(Select, { name: 'item-301' }).props.options.map((o) => o.label)).toEqual(['Choose an item']));
  });

  test('When Check for changes now is pressed, then DealBooks is asked and the page says the deals update shortly', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/quickbooks/check-changes': { status: 202, body: { queued: true } } }));
    const page = renderPage();
    await shows(page, 'Acme Books Ltd');
    press(page, 'Check for changes now');
    await shows(page, 'DealBooks is looking for changes made in QuickBooks');
    expect(fake.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/quickbooks/check-changes']);
  });
});
