import { Button, Input, LoadingButton, Select } from '@hubspot/ui-extensions';
import { everyAnswer, fakeDealBooks, settingsView, type FakeDealBooks } from './__tests__/fake-dealbooks';
import { formatCents, fieldMessages } from './load';
import { DealBooksError } from '../shared/api';
import { change, maybeButton, press, renderPage, shows, text, type } from './__tests__/page-test-kit';

let fake: FakeDealBooks | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});
const posts = (path: string) => fake!.calls.filter((c) => c.method !== 'GET' && c.path === path);

describe('Products and QuickBooks items', () => {
  test('When DealBooks suggests an item, then it is shown with its reason and score, and Accept maps the product to it', async () => {
    fake = fakeDealBooks(everyAnswer({ 'PUT /api/mappings/products/301': { status: 200, body: { productId: '301', itemId: '5', itemName: 'Consulting hour' } } }));
    const page = renderPage();
    await shows(page, 'Consulting hour (same SKU, score 1.00)');
    expect(text(page)).toContain('Not mapped');
    fake.on('GET /api/mappings/products', { status: 200, body: { mappings: [{ productId: '301', productName: 'Consulting', sku: 'CONS-1', itemId: '5', itemName: 'Consulting hour', method: 'manual', suggestion: null }] } });
    press(page, 'Accept Consulting hour');
    await shows(page, 'Consulting now becomes Consulting hour in QuickBooks.');
    expect(posts('/api/mappings/products/301').map((c) => c.body)).toEqual([{ itemId: '5' }]);
    await page.waitFor(() => expect(maybeButton(page, 'Accept Consulting hour')).toBeNull());
  });

  test('When another item is chosen, then the product is mapped to that one; a refusal shows DealBooks’ words', async () => {
    fake = fakeDealBooks(everyAnswer({ 'PUT /api/mappings/products/301': { status: 400, body: { error: { code: 'item_not_found', message: 'QuickBooks has no active item 1.' } } } }));
    const page = renderPage();
    await shows(page, 'Consulting hour (same SKU, score 1.00)');
    await page.waitFor(() => expect(page.find(Select, { name: 'item-301' }).props.options.map((o) => o.label)).toContain('Services'));
    expect(maybeButton(page, 'Use this item')!.props.disabled).toBe(true);
    change(page.find(Select, { name: 'item-301' }), '1');
    press(page, 'Use this item');
    await shows(page, 'QuickBooks has no active item 1.');
    expect(posts('/api/mappings/products/301').map((c) => c.body)).toEqual([{ itemId: '1' }]);
  });
});

describe('Customers to review', () => {
  test('When a proposed customer is accepted or rejected, then DealBooks gets that decision for the deal', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/customers/review/42': { status: 200, body: {} } }));
    const page = renderPage();
    await shows(page, 'Globex Corporation <ap@globex.test>: score 0.86');
    expect(text(page)).toContain('Globex (deal 42)');
    press(page, 'Accept');
    await shows(page, 'Globex Corporation is now the customer for Globex.');
    // The list is read again after each decision (here DealBooks still lists the deal).
    await shows(page, 'score 0.86');
    press(page, 'Reject');
    await shows(page, 'Globex Corporation will not be proposed again for Globex.');
    expect(posts('/api/customers/review/42').map((c) => c.body)).toEqual([{ accept: '58' }, { reject: '58' }]);
  });

  test('When the list is being read again after a decision, then its old rows offer nothing to press until the new list is in', async () => {
    const answers = everyAnswer({ 'POST /api/customers/review/42': { status: 200, body: {} } });
    const listed = answers['GET /api/customers/review'];
    fake = fakeDealBooks(answers);
    const page = renderPage();
    await shows(page, 'Globex Corporation <ap@globex.test>: score 0.86');
    let release: () => void = () => {};
    fake.on('GET /api/customers/review', () => new Promise<{ status: number; body?: unknown }>((resolve) => (release = () => resolve(listed as { status: number; body?: unknown }))));
    press(page, 'Reject');
    await shows(page, 'Globex Corporation will not be proposed again for Globex.');
    expect(maybeButton(page, 'Accept')!.props.disabled).toBe(true);
    release();
    await page.waitFor(() => expect(maybeButton(page, 'Accept')!.props.disabled).toBe(false));
  });

  test('When an entry names no deal, then it offers no decision (DealBooks decides per deal)', async () => {
    fake = fakeDealBooks(
      everyAnswer({
        'GET /api/customers/review': {
          status: 200,
          body: { review: [{ dealId: null, name: 'Initech', candidates: [{ id: '70', displayName: 'Initech LLC', email: null, score: 0.9, reason: 'fuzzy' }], since: '2026-12-01T00:00:00.000Z', message: null }] },
        },
      }),
    );
    const page = renderPage();
    await shows(page, 'Initech LLC');
    expect(maybeButton(page, 'Accept')).toBeNull();
    expect(maybeButton(page, 'Reject')).toBeNull();
    expect(maybeButton(page, 'Create a new customer')).toBeNull();
  });

  test('When a search finds nothing and the person types on, then the page still names the words searched, not those being typed', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/quickbooks/customers?search=Zed': { status: 200, body: { customers: [] } } }));
    const page = renderPage();
    await shows(page, 'Find another QuickBooks customer');
    type(page.find(Input, { name: 'customerSearch' }), 'Zed');
    await page.waitFor(() => expect(maybeButton(page, 'Search')!.props.disabled).toBe(false));
    press(page, 'Search');
    await shows(page, 'No QuickBooks customer matches “Zed”.');
    type(page.find(Input, { name: 'customerSearch' }), 'Zeta');
    await page.waitFor(() => expect(page.find(Input, { name: 'customerSearch' }).props.value).toBe('Zeta'));
    expect(text(page)).toContain('No QuickBooks customer matches “Zed”.');
  });

  test('When another customer is searched and chosen, or a new one asked for, then DealBooks gets that choice', async () => {
    fake = fakeDealBooks(
      everyAnswer({
        'POST /api/customers/review/42': { status: 200, body: {} },
        'GET /api/quickbooks/customers?search=Glo': { status: 200, body: { customers: [{ id: '60', displayName: 'Globex Europe', email: null, active: true }, { id: '61', displayName: 'Globex Old', email: null, active: false }] } },
      }),
    );
    const page = renderPage();
    await shows(page, 'Find another QuickBooks customer');
    expect(maybeButton(page, 'Search')!.props.disabled).toBe(true);
    type(page.find(Input, { name: 'customerSearch' }), 'Glo');
    await page.waitFor(() => expect(maybeButton(page, 'Search')!.props.disabled).toBe(false));
    press(page, 'Search');
    await page.waitFor(() => expect(page.find(Select, { name: 'customerChoice' }).props.options.map((o) => o.label)).toEqual(['Choose a customer', 'Globex Europe', 'Globex Old (inactive: choosing it makes it active again)']));
    change(page.find(Select, { name: 'customerChoice' }), '60');
    press(page, 'Use this customer');
    await shows(page, 'Globex Europe is now the customer for Globex.');
    await shows(page, 'score 0.86');
    press(page, 'Create a new customer');
    await shows(page, 'DealBooks will create a new QuickBooks customer for Globex.');
    expect(posts('/api/customers/review/42').map((c) => c.body)).toEqual([{ choose: '60' }, { create: true }]);
  });

  test('When every suggestion of a deal was rejected, then DealBooks’ words say what is left to do', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/customers/review': { status: 200, body: { review: [{ dealId: '42', name: 'Globex', candidates: [], since: '2026-12-01T00:00:00.000Z', message: 'No match left: choose a QuickBooks customer or create a new one.' }] } } }));
    const page = renderPage();
    await shows(page, 'No match left: choose a QuickBooks customer or create a new one.');
    expect(maybeButton(page, 'Create a new customer')).not.toBeNull();
  });

  test('When no customer waits, then the section says so', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/customers/review': { status: 200, body: { review: [] } } }));
    const page = renderPage();
    await shows(page, 'No customers wait for a decision.');
  });
});

describe('Dry run', () => {
  test('When the dry run is asked for, then each recent won deal shows the document it would produce and its problems', async () => {
    fake = fakeDealBooks(
      everyAnswer({
        'GET /api/dry-run': {
          status: 200,
          body: {
            deals: [
              {
                dealId: '41',
                dealName: 'Initech renewal',
                // Evening of 30 November in the account's time zone (the renderer's portal is in America/New_York).
                closeDate: '2026-12-01T03:00:00.000Z',
                amount: '1200.50',
                document: { kind: 'invoice', customer: { displayName: 'Initech' }, totalCents: 120050, currency: 'USD' },
                problems: [],
              },
              { dealId: '42', dealName: 'Globex pilot', closeDate: null, amount: null, document: null, problems: [{ code: 'unmapped_product', message: 'Map the product Widget to a QuickBooks item.' }] },
            ],
          },
        },
      }),
    );
    const page = renderPage();
    await shows(page, 'Dry run');
    expect(fake.calls.some((c) => c.path === '/api/dry-run')).toBe(false);
    press(page, 'Run the dry run');
    await shows(page, 'Invoice for Initech, 1,200.50 USD');
    const shown = text(page);
    expect(shown).toContain('Initech renewal');
    expect(shown).toContain('Initech renewal\n2026-11-30\n');
    expect(shown).not.toContain('2026-12-01');
    expect(shown).toContain('Globex pilot');
    expect(shown).toContain('No document');
    expect(shown).toContain('Map the product Widget to a QuickBooks item.');
  });

  test('When the dry run fails, then DealBooks’ words are shown with Try again', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/dry-run': { status: 409, body: { error: { code: 'not_connected', message: 'Connect QuickBooks first.' } } } }));
    const page = renderPage();
    await shows(page, 'Dry run');
    press(page, 'Run the dry run');
    await shows(page, 'Connect QuickBooks first.');
    expect(maybeButton(page, 'Try again')).not.toBeNull();
  });
});

describe('Sync log', () => {
  test('When the log is filtered by outcome and deal, then DealBooks is asked for exactly that', async () => {
    fake = fakeDealBooks(everyAnswer());
    const page = renderPage();
    await shows(page, 'QuickBooks refused the invoice: the period is closed.');
    expect(text(page)).toContain('Invoice 1001 created.');
    expect(text(page)).toContain('2026-12-02 09:30 UTC');
    fake.on('GET /api/sync-log?limit=25&outcome=failed', { status: 200, body: { entries: [], next: null } });
    change(page.find(Select, { name: 'logOutcome' }), 'failed');
    await shows(page, 'Nothing in the sync log matches these filters.');
    change(page.find(Input, { name: 'logDealId' }), ' 42 ');
    press(page, 'Filter');
    await page.waitFor(() => expect(fake!.calls.map((c) => c.path)).toContain('/api/sync-log?limit=25&dealId=42&outcome=failed'));
  });

  test('When there are older entries, then Older entries reads the next page', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('GET /api/sync-log?limit=25', { status: 200, body: { entries: [{ id: 30, occurredAt: '2026-12-02T10:00:00.000Z', action: 'x', outcome: 'succeeded', message: 'Newest.', dealId: '1', qboEntityType: null, qboEntityId: null }], next: { before: 30 } } });
    fake.on('GET /api/sync-log?limit=25&before=30', { status: 200, body: { entries: [{ id: 29, occurredAt: '2026-12-01T10:00:00.000Z', action: 'x', outcome: 'succeeded', message: 'Older.', dealId: '1', qboEntityType: null, qboEntityId: null }], next: null } });
    const page = renderPage();
    await shows(page, 'Newest.');
    press(page, 'Older entries');
    await shows(page, 'Older.');
  });

  test('When a failed step is retried, then DealBooks queues it and the page says so; a succeeded step offers no retry', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/sync-log/11/retry': { status: 202, body: { status: 'queued', alreadyQueued: false } } }));
    const page = renderPage();
    await shows(page, 'QuickBooks refused the invoice: the period is closed.');
    // One Retry: for the failed entry, none for the one that succeeded.
    expect(page.findAll(Button, (n) => n.text === 'Retry')).toHaveLength(1);
    press(page, 'Retry');
    await shows(page, 'Queued to run again; the log shows the outcome in a moment.');
    expect(posts('/api/sync-log/11/retry')).toHaveLength(1);
    expect(posts('/api/sync-log/10/retry')).toHaveLength(0);
  });

  test('When a failed entry is not about a deal’s action, then no Retry is offered (DealBooks would answer 409)', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('GET /api/sync-log?limit=25', {
      status: 200,
      body: { entries: [{ id: 12, occurredAt: '2026-12-02T10:00:00.000Z', action: 'poll_payments', outcome: 'failed', message: 'Polling payments failed.', dealId: null, dealActionId: null, qboEntityType: null, qboEntityId: null }], next: null },
    });
    const page = renderPage();
    await shows(page, 'Polling payments failed.');
    expect(maybeButton(page, 'Retry')).toBeNull();
  });

  test('When the user may not create documents, then no Retry is offered (DealBooks refuses their retries)', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: settingsView({ access: { userId: '7', isAdmin: true, admins: ['7'], mayCreate: false } }) } }));
    const page = renderPage();
    await shows(page, 'QuickBooks refused the invoice: the period is closed.');
    expect(maybeButton(page, 'Retry')).toBeNull();
  });
});

describe('Delete my data', () => {
  test('When the account id is not typed exactly, then deleting cannot be pressed; typed, DealBooks deletes and lists what is left to do', async () => {
    fake = fakeDealBooks(everyAnswer({ 'POST /api/account/delete': { status: 200, body: { deleted: true, quickbooks: 'revoked', hubspot: 'uninstalled', todo: ['Remove the DealBooks properties from your deals in HubSpot.'] } } }));
    const page = renderPage();
    const portalId = String(page.mocks.context.portal.id);
    await shows(page, `Type the account id ${portalId} to confirm`);
    const del = () => page.find(LoadingButton, (n) => n.text === 'Delete all DealBooks data');
    expect(del().props.disabled).toBe(true);
    type(page.find(Input, { name: 'deleteConfirm' }), `${portalId}9`);
    await page.waitFor(() => expect(del().props.disabled).toBe(true));
    type(page.find(Input, { name: 'deleteConfirm' }), portalId);
    await page.waitFor(() => expect(del().props.disabled).toBe(false));
    expect(posts('/api/account/delete')).toHaveLength(0);
    press(page, 'Delete all DealBooks data');
    await shows(page, 'DealBooks data deleted');
    expect(text(page)).toContain('Remove the DealBooks properties from your deals in HubSpot.');
    expect(posts('/api/account/delete').map((c) => c.body)).toEqual([{ confirm: portalId }]);
  });
});

describe('Small rules of the page', () => {
  test('Money is shown from integer cents without floating point', () => {
    expect(formatCents(120050, 'USD')).toBe('1,200.50 USD');
    expect(formatCents(5, null)).toBe('0.05');
    expect(formatCents(-123456789, 'EUR')).toBe('-1,234,567.89 EUR');
  });

  test('Field messages are read from details.fields and from a list of paths, body paths counting as the setting', () => {
    expect(fieldMessages(new DealBooksError(422, 'validation_failed', 'x', { fields: { 'customers.matchThreshold': 'too low' } }))).toEqual({ 'customers.matchThreshold': 'too low' });
    expect(fieldMessages(new DealBooksError(400, 'validation_failed', 'x', [{ path: 'settings.memoTemplate', message: 'a' }, { path: 'memoTemplate', message: 'b' }]))).toEqual({ memoTemplate: 'a b' });
    expect(fieldMessages(new DealBooksError(409, 'conflict', 'x', { reason: 'version_conflict' }))).toEqual({});
  });
});
