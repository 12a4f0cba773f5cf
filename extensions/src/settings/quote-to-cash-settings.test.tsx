import { LoadingButton, MultiSelect, Select, TextArea, Input, Toggle } from '@hubspot/ui-extensions';
import { everyAnswer, fakeDealBooks, SETTINGS, settingsView, type FakeDealBooks } from './__tests__/fake-dealbooks';
import { change, maybeButton, press, renderPage, shows, text, type Page } from './__tests__/page-test-kit';

let fake: FakeDealBooks;
afterEach(() => fake.restore());

const select = (page: Page, name: string) => page.find(Select, { name });
const saves = () => fake.calls.filter((c) => c.method === 'PUT' && c.path === '/api/settings');

async function ready(): Promise<Page> {
  const page = renderPage();
  await shows(page, 'Quote to cash');
  await page.waitFor(() => expect(select(page, 'termId').props.options.map((o) => o.label)).toContain('Net 30'));
  return page;
}

describe('The quote-to-cash settings', () => {
  test('When the page opens, then every setting is shown with its current value and the pickers list QuickBooks', async () => {
    fake = fakeDealBooks(everyAnswer());
    const page = await ready();
    const labels = text(page);
    for (const label of [
      'Create the document when a deal reaches a trigger stage',
      'Trigger stages: Sales Pipeline',
      'Document to create',
      'Delivery',
      'Payment terms',
      'Invoice date',
      'Item for products without a mapping',
      'Tax code for taxable lines',
      'Tax code for non-taxable lines',
      'Class',
      'Message on the invoice',
      'Create the QuickBooks customer when none matches',
      'Smallest name-match score to propose a customer',
      'One QuickBooks project (sub-customer) per deal',
      'Email the invoice to',
      'When an inactive QuickBooks customer holds the name',
      'Turn estimates accepted in QuickBooks into invoices',
      'Who may create invoices and estimates from the deal card',
      'Follow-up tasks for overdue invoices',
      'Days overdue for a task',
    ])
      expect(labels).toContain(label);
    expect(labels).toContain('Using the won stages (Closed won).');
    expect(select(page, 'defaultItemId').props.options.map((o) => o.label)).toEqual(['None: stop and ask to map the product', 'Services', 'Consulting hour (CONS-1)']);
    expect(select(page, 'classId').props.options.map((o) => o.label)).toContain('Regions:East');
    expect(select(page, 'taxCodes.taxable').props.options.map((o) => o.label)).toContain('Taxable');
    expect(page.find(Input, { name: 'overdueTasks.thresholds' }).props.value).toBe('1, 15, 30');
  });

  test('When settings are changed and saved, then the whole document goes with the version read, and the next save uses the new version', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('PUT /api/settings', ({ body }) => ({ status: 200, body: { settings: (body as any).settings, version: (body as any).version + 1 } }));
    const page = await ready();
    change(page.find(Toggle, { name: 'autoInvoice' }), true);
    change(select(page, 'termId'), '3');
    change(select(page, 'documentKind'), 'estimate');
    change(page.find(MultiSelect, { name: 'triggerStages.default' }), ['contractsent']);
    change(page.find(TextArea, { name: 'memoTemplate' }), 'Deal {{dealName}}');
    change(page.find(Input, { name: 'overdueTasks.thresholds' }), '30, 7');
    press(page, 'Save settings');
    await shows(page, 'Settings saved');
    expect(saves()[0]!.body).toEqual({
      version: 3,
      settings: { ...SETTINGS, autoInvoice: true, termId: '3', documentKind: 'estimate', triggerStages: { default: ['contractsent'] }, memoTemplate: 'Deal {{dealName}}', overdueTasks: { enabled: false, thresholds: [30, 7] } },
    });
    press(page, 'Save settings');
    await page.waitFor(() => expect(saves()).toHaveLength(2));
    expect((saves()[1]!.body as any).version).toBe(4);
  });

  test('When a save is under way, then the button says Saving… and cannot be pressed again', async () => {
    fake = fakeDealBooks(everyAnswer());
    let finish: (answer: { status: number; body: unknown }) => void = () => undefined;
    fake.on('PUT /api/settings', () => new Promise<{ status: number; body: unknown }>((resolve) => (finish = resolve)));
    const page = await ready();
    press(page, 'Save settings');
    await page.waitFor(() => expect(page.find(LoadingButton, (n) => n.text === 'Saving…').props).toMatchObject({ loading: true, disabled: true }));
    finish({ status: 200, body: { settings: SETTINGS, version: 4 } });
    await shows(page, 'Settings saved');
  });

  test('When DealBooks refuses a save (details.fields), then each message is shown beside its field and nothing else is marked', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('PUT /api/settings', {
      status: 422,
      body: {
        error: {
          code: 'validation_failed',
          message: 'Some settings are invalid.',
          details: { fields: { memoTemplate: 'Unknown placeholder {{dealname}}: use {{dealName}}.', 'overdueTasks.thresholds.1': '15 days is listed twice; list each threshold once', 'triggerStages.default': 'Unknown stage' } },
        },
      },
    });
    const page = await ready();
    press(page, 'Save settings');
    await shows(page, 'Some settings are invalid.');
    expect(page.find(TextArea, { name: 'memoTemplate' }).props).toMatchObject({ error: true, validationMessage: 'Unknown placeholder {{dealname}}: use {{dealName}}.' });
    expect(page.find(Input, { name: 'overdueTasks.thresholds' }).props).toMatchObject({ error: true, validationMessage: '15 days is listed twice; list each threshold once' });
    expect(page.find(MultiSelect, { name: 'triggerStages.default' }).props.validationMessage).toBe('Unknown stage');
    expect(select(page, 'termId').props).toMatchObject({ error: false, validationMessage: undefined });
  });

  test('When DealBooks lists the problems as paths (a 400), then they are shown beside their fields too', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('PUT /api/settings', {
      status: 400,
      body: { error: { code: 'validation_failed', message: 'Some settings name QuickBooks objects that cannot be used.', details: [{ path: 'settings.termId', message: 'The terms Net 30 are inactive in QuickBooks.' }] } },
    });
    const page = await ready();
    press(page, 'Save settings');
    await shows(page, 'The terms Net 30 are inactive in QuickBooks.');
    expect(select(page, 'termId').props).toMatchObject({ error: true, validationMessage: 'The terms Net 30 are inactive in QuickBooks.' });
  });

  test('When days overdue are not whole numbers, then the field says how to write them and nothing is sent', async () => {
    fake = fakeDealBooks(everyAnswer());
    const page = await ready();
    change(page.find(Input, { name: 'overdueTasks.thresholds' }), '1, two weeks');
    press(page, 'Save settings');
    await page.waitFor(() => expect(page.find(Input, { name: 'overdueTasks.thresholds' }).props.validationMessage).toBe('Write whole numbers of days separated by commas, e.g. 1, 15, 30.'));
    expect(saves()).toHaveLength(0);
  });

  test('When someone else saved in between, then the page says so and offers to reload the settings', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('PUT /api/settings', { status: 409, body: { error: { code: 'conflict', message: 'Someone else saved the settings in the meantime. Reload them and apply your change again.', details: { reason: 'version_conflict' } } } });
    const page = await ready();
    press(page, 'Save settings');
    await shows(page, 'Someone else saved the settings in the meantime.');
    fake.on('GET /api/settings', { status: 200, body: settingsView({ version: 9, settings: { ...SETTINGS, memoTemplate: 'Theirs' } }) });
    press(page, 'Reload the settings');
    await page.waitFor(() => expect(page.find(TextArea, { name: 'memoTemplate' }).props.value).toBe('Theirs'));
  });

  test('When a stored QuickBooks id can no longer be used, then its field says so on opening', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: settingsView({ settings: { ...SETTINGS, classId: '77' }, unusableReferences: [{ field: 'classId', id: '77', message: 'The class 77 no longer exists in QuickBooks.' }] }) } }));
    const page = await ready();
    expect(select(page, 'classId').props.validationMessage).toBe('The class 77 no longer exists in QuickBooks.');
    // The stored id stays on offer, so opening the page does not change the setting.
    expect(select(page, 'classId').props.value).toBe('77');
    expect(select(page, 'classId').props.options.map((o) => o.label)).toContain('QuickBooks id 77 (not in the list)');
  });

  test('When a pipeline uses chosen stages, then "Use the won stages" drops the choice', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: settingsView({ settings: { ...SETTINGS, triggerStages: { default: [] } } }) } }));
    fake.on('PUT /api/settings', ({ body }) => ({ status: 200, body: { settings: (body as any).settings, version: 4 } }));
    const page = await ready();
    expect(text(page)).toContain('No stage: auto-invoice is off for this pipeline.');
    press(page, 'Use the won stages');
    await shows(page, 'Using the won stages (Closed won).');
    press(page, 'Save settings');
    await shows(page, 'Settings saved');
    expect((saves()[0]!.body as any).settings.triggerStages).toEqual({});
  });

  test('When HubSpot’s pipelines could not be read, then the page says so and a save keeps the stored trigger stages', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/settings': { status: 200, body: settingsView({ pipelines: null, settings: { ...SETTINGS, triggerStages: { p2: ['s9'] } } }) } }));
    fake.on('PUT /api/settings', ({ body }) => ({ status: 200, body: { settings: (body as any).settings, version: 4 } }));
    const page = await ready();
    expect(text(page)).toContain("HubSpot's deal pipelines could not be read just now");
    press(page, 'Save settings');
    await shows(page, 'Settings saved');
    expect((saves()[0]!.body as any).settings.triggerStages).toEqual({ p2: ['s9'] });
  });

  test('When the QuickBooks lists cannot be read, then the page says why and can try again', async () => {
    fake = fakeDealBooks(everyAnswer({ 'GET /api/quickbooks/terms': { status: 502, body: { error: { code: 'quickbooks_failed', message: 'QuickBooks did not answer.' } } } }));
    const page = renderPage();
    await shows(page, 'QuickBooks lists could not be loaded');
    expect(text(page)).toContain('QuickBooks did not answer.');
    fake.on('GET /api/quickbooks/terms', { status: 200, body: { terms: [{ id: '3', name: 'Net 30', dueDays: 30 }] } });
    press(page, 'Try again');
    await page.waitFor(() => expect(select(page, 'termId').props.options.map((o) => o.label)).toContain('Net 30'));
    expect(maybeButton(page, 'Try again')).toBeNull();
  });

  test('When creators are limited, then the listed user ids are saved', async () => {
    fake = fakeDealBooks(everyAnswer());
    fake.on('PUT /api/settings', ({ body }) => ({ status: 200, body: { settings: (body as any).settings, version: 4 } }));
    const page = await ready();
    change(select(page, 'creators'), 'listed');
    await page.waitFor(() => page.find(Input, { name: 'creatorsList' }));
    change(page.find(Input, { name: 'creatorsList' }), '101, 202');
    press(page, 'Save settings');
    await shows(page, 'Settings saved');
    expect((saves()[0]!.body as any).settings.creators).toEqual(['101', '202']);
  });
});
