import { Input, LoadingSpinner, MultiSelect, Select, TextArea, Toggle } from '@hubspot/ui-extensions';
import { UNREACHABLE } from '../shared/api';
import { everyAnswer, fakeDealBooks, settingsView, SETTINGS, type FakeDealBooks } from './__tests__/fake-dealbooks';
import { change, maybeButton, press, renderPage, shows, text } from './__tests__/page-test-kit';

let fake: FakeDealBooks;
afterEach(() => fake.restore());

describe('The settings page as a whole', () => {
  test('When DealBooks has not answered yet, then the page says it is loading', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': () => new Promise<never>(() => undefined) }));
    const page = renderPage();
    await shows(page, 'Loading the DealBooks settings…');
  });

  test('When DealBooks cannot be reached, then the page says so and Try again loads it', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': 'unreachable' }));
    const page = renderPage();
    await shows(page, 'The DealBooks settings could not be loaded');
    expect(text(page)).toContain(UNREACHABLE);
    fake.on('GET /api/settings', { status: 200, body: settingsView() });
    press(page, 'Try again');
    await shows(page, 'Quote to cash');
  });

  test('When a section cannot be read, then only that section says so and offers Try again', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/sync-log': { status: 503, body: { error: { code: 'unavailable', message: 'DealBooks is busy; try again in a minute.' } } } }));
    const page = renderPage();
    await shows(page, 'The sync log could not be loaded');
    expect(text(page)).toContain('DealBooks is busy; try again in a minute.');
    expect(text(page)).toContain('Acme Books Ltd');
  });

  test('When the person is not a DealBooks admin, then every input is read only, no action that writes is offered, and the page says who can change it', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: settingsView({ access: { userId: '8', isAdmin: false, admins: ['7', '12'] } }) } }));
    const page = renderPage();
    await shows(page, 'Globex Corporation');
    await shows(page, 'QuickBooks refused the invoice');
    expect(text(page)).toContain('Read only: only DealBooks admins (7, 12) can change this.');
    expect(text(page)).toContain('DealBooks admins: 7, 12.');
    for (const component of [Select, MultiSelect, TextArea, Toggle] as const) {
      // The sync log's filters only choose what to read, so they stay usable.
      const all = page.findAll(component as typeof Select, (n) => n.props.name !== 'logOutcome');
      expect(all.length).toBeGreaterThan(0);
      for (const control of all) expect(control.props.readOnly).toBe(true);
    }
    expect(page.maybeFind(Input, { name: 'overdueTasks.thresholds' })!.props.readOnly).toBe(true);
    for (const action of ['Save settings', 'Connect QuickBooks', 'Reconnect QuickBooks', 'Disconnect', 'Check for changes now', 'Accept Consulting hour', 'Use this item', 'Accept', 'Reject', 'Create a new customer', 'Retry', 'Save admins', 'Delete all DealBooks data'])
      expect(maybeButton(page, action)).toBeNull();
    expect(text(page)).not.toContain('Delete my data');
    // Reading is still open to them.
    expect(maybeButton(page, 'Test connection')).not.toBeNull();
    expect(maybeButton(page, 'Run the dry run')).not.toBeNull();
  });

  test('When the person is not an admin but may create documents, then the settings stay read only and they may still decide the customers waiting for review', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: settingsView({ access: { userId: '8', isAdmin: false, admins: ['7'], mayCreate: true } }) } }));
    const page = renderPage();
    await shows(page, 'Globex Corporation');
    expect(text(page)).toContain('Read only: only DealBooks admins (7) can change this.');
    expect(maybeButton(page, 'Save settings')).toBeNull();
    expect(maybeButton(page, 'Accept')).not.toBeNull();
    expect(maybeButton(page, 'Reject')).not.toBeNull();
    expect(maybeButton(page, 'Create a new customer')).not.toBeNull();
  });

  test('When DealBooks does not say who may change the settings, then the page is read only', async () => {
    const { access: _left, ...withoutAccess } = settingsView();
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: withoutAccess } }));
    const page = renderPage();
    await shows(page, 'Read only: only DealBooks admins can change this.');
    expect(maybeButton(page, 'Save settings')).toBeNull();
  });

  test('When an admin changes who the admins are, then the ids are sent and the settings are read again', async () => {
    fake = fakeDealBooks(everyAnswer({ 'PUT /api/settings/admins': { status: 200, body: { admins: ['7', '12'] } } }));
    const page = renderPage();
    await shows(page, 'Who can change these settings');
    change(page.find(Input, { name: 'admins' }), '7, 12');
    press(page, 'Save admins');
    await page.waitFor(() => expect(fake.calls.filter((c) => c.path === '/api/settings').length).toBe(2));
    expect(fake.calls.find((c) => c.path === '/api/settings/admins')!.body).toEqual({ admins: ['7', '12'] });
  });

  test('When the settings are read again after saving the admins, then the page stays (no full-page spinner) and still says the admins are saved', async () => {
    fake = fakeDealBooks(everyAnswer({ 'PUT /api/settings/admins': { status: 200, body: { admins: ['7', '12'] } } }));
    const page = renderPage();
    await shows(page, 'Who can change these settings');
    fake.on('GET /api/settings', { status: 200, body: settingsView({ version: 9, settings: { ...SETTINGS, memoTemplate: 'Read again' }, access: { userId: '7', isAdmin: true, admins: ['7', '12'], mayCreate: true } }) });
    change(page.find(Input, { name: 'admins' }), '7, 12');
    press(page, 'Save admins');
    await page.waitFor(() => expect(page.find(TextArea, { name: 'memoTemplate' }).props.value).toBe('Read again'));
    expect(text(page)).toContain('The admins are saved.');
    expect(page.maybeFind(LoadingSpinner)).toBeNull();
  });

  test('When DealBooks refuses a write as forbidden, then its words are shown', async () => {
    fake = fakeDealBooks(everyAnswer({ 'PUT /api/settings': { status: 403, body: { error: { code: 'forbidden', message: 'Only DealBooks admins can change the settings.' } } } }));
    const page = renderPage();
    await shows(page, 'Quote to cash');
    press(page, 'Save settings');
    await shows(page, 'Only DealBooks admins can change the settings.');
  });
});
