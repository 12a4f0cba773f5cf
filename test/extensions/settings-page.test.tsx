import React from 'react';
import { Button, Input, LoadingButton, Select, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { SettingsPage } from '../../extensions/src/settings/SettingsPage';
import { change, maybeButton, press, text, type Page } from '../../extensions/src/settings/__tests__/page-test-kit';
import { browse } from '../support/world';
import { createThroughCard, makeDeal, useQ2C, type Q2C } from '../quote-to-cash/support';
import { bridgeTo, installHsFetch, type Bridge } from './support';

/**
 * The settings page rendered with HubSpot's renderer, its hubspot.fetch going to a running DealBooks (simulators
 * behind it), signed exactly as HubSpot signs: every answer on the page is DealBooks' own.
 */
const REAL = 15_000;

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

function open(q: Q2C, userId?: number): { page: Page; bridge: Bridge } {
  const bridge = bridgeTo(q, userId === undefined ? {} : { userId });
  restore = installHsFetch(bridge.hsFetch);
  const page = createRenderer('settings');
  page.render(<SettingsPage context={{ portal: { ...page.mocks.context.portal, id: q.portalId } }} />);
  return { page, bridge };
}

/** A DealBooks admin of the account (the installer is the first). */
async function anAdmin(q: Q2C): Promise<number> {
  const admins = (await q.card('GET', '/api/settings')).body.access.admins as string[];
  return Number(admins[0]);
}

async function shows(page: Page, words: string): Promise<void> {
  await page.waitFor(() => expect(text(page)).toContain(words), { timeoutInMs: REAL });
}

describe('The settings page against a running DealBooks', () => {
  const q = useQ2C();

  it('When an admin disconnects QuickBooks and connects it again from the page, then the sign-in link DealBooks makes completes the connection and the page shows the company connected', async () => {
    const { realmId } = (await q.card('GET', '/api/quickbooks/status')).body.company;
    const { page, bridge } = open(q, await anAdmin(q));
    await shows(page, realmId);
    press(page, 'Disconnect');
    await shows(page, 'Disconnect QuickBooks?');
    press(page, 'Yes, disconnect');
    await shows(page, `DealBooks is disconnected from`);
    await page.waitFor(() => expect(maybeButton(page, 'Connect QuickBooks')).not.toBeNull(), { timeoutInMs: REAL });

    press(page, 'Connect QuickBooks');
    await shows(page, 'Sign in to QuickBooks');
    const link = page.find(Button, (n) => n.text === 'Open QuickBooks sign-in').props.href as { url: string; external: boolean };
    expect(link.external).toBe(true);
    // The person's browser, in the new tab: through Intuit's (simulated) consent back to DealBooks' callback.
    const visit = await browse(link.url);
    expect(visit.status).toBe(200);

    press(page, 'Refresh status');
    await page.waitFor(() => expect(maybeButton(page, 'Test connection')).not.toBeNull(), { timeoutInMs: REAL });
    const now = (await q.card('GET', '/api/quickbooks/status')).body;
    expect(now).toMatchObject({ status: 'connected', company: { realmId } });
    await shows(page, now.company.name);
    expect(text(page)).toContain('Connected');
    // The pickers read QuickBooks again once it is connected (a list read while it was disconnected said so).
    await page.waitFor(() => expect(page.find(Select, { name: 'termId' }).props.options.length).toBeGreaterThan(1), { timeoutInMs: REAL });
    expect(text(page)).not.toContain('QuickBooks lists could not be loaded');
    expect(bridge.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.status}`)).toEqual(['/api/quickbooks/disconnect 200', '/api/quickbooks/connect-url 200']);
  });

  it('When a setting DealBooks refuses is saved, then its message is shown beside the field; corrected, the save is stored', async () => {
    const { page } = open(q, await anAdmin(q));
    await shows(page, 'Save settings');
    const memo = () => page.find(TextArea, { name: 'memoTemplate' });
    change(memo(), 'Thanks for {{dealname}} {{nope}}');
    press(page, 'Save settings');
    await page.waitFor(() => expect(memo().props.error).toBe(true), { timeoutInMs: REAL });
    const before = (await q.card('GET', '/api/settings')).body;
    expect(memo().props.validationMessage).toMatch(/nope/);
    expect(before.settings.memoTemplate).not.toContain('nope');

    change(memo(), 'Thanks for {{dealName}}');
    press(page, 'Save settings');
    await shows(page, 'Settings saved');
    expect(memo().props.error).toBe(false);
    const after = (await q.card('GET', '/api/settings')).body;
    expect(after.settings.memoTemplate).toBe('Thanks for {{dealName}}');
    expect(after.version).toBe(before.version + 1);
  });

  it('When DealBooks suggests a QuickBooks item for a product and the admin accepts it, then the product is mapped to it', async () => {
    // QBO demo books hold the item "Hours" (test/simulators/quickbooks/seed.ts); a product of the same name is suggested it.
    const product = await q.create('products', { name: 'Hours', price: '150' });
    const { page, bridge } = open(q, await anAdmin(q));
    await shows(page, 'Hours (similar name, score 1.00)');
    press(page, 'Accept Hours');
    await shows(page, 'Hours now becomes Hours in QuickBooks.');
    await page.waitFor(() => expect(maybeButton(page, 'Accept Hours')).toBeNull(), { timeoutInMs: REAL });
    expect(bridge.requests.filter((r) => r.method === 'PUT').map((r) => `${r.path} ${r.status}`)).toEqual([`/api/mappings/products/${product.id} 200`]);
    const mapped = (await q.card('GET', '/api/mappings/products')).body.mappings.find((m: { productId: string }) => m.productId === product.id);
    expect(mapped).toMatchObject({ itemName: 'Hours', suggestion: null });
  });

  it('When a HubSpot user who is not a DealBooks admin opens the page, then everything reads but nothing can be changed, and the page names the admins', async () => {
    const admins = (await q.card('GET', '/api/settings')).body.access.admins as string[];
    expect(admins.length).toBeGreaterThan(0);
    const outsider = 424242;
    expect(admins).not.toContain(String(outsider));
    const { page, bridge } = open(q, outsider);
    await shows(page, `Read only: only DealBooks admins (${admins.join(', ')}) can change this.`);
    await page.waitFor(() => expect(maybeButton(page, 'Test connection')).not.toBeNull(), { timeoutInMs: REAL });
    for (const control of page.findAll(Select, (n) => n.props.name !== 'logOutcome')) expect(control.props.readOnly).toBe(true);
    for (const action of ['Save settings', 'Reconnect QuickBooks', 'Disconnect', 'Save admins', 'Delete all DealBooks data']) expect(maybeButton(page, action)).toBeNull();
    expect(bridge.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('When the dry run is run, then every recent won deal DealBooks tried is listed with its document or its problems', async () => {
    const { page } = open(q, await anAdmin(q));
    await shows(page, 'Run the dry run');
    press(page, 'Run the dry run');
    await page.waitFor(() => expect(text(page)).toMatch(/No won deals to try\.|Problems/), { timeoutInMs: REAL });
    const answer = (await q.card('GET', '/api/dry-run')).body as {
      deals: Array<{ dealName: string | null; dealId: string; document: { kind: string; customer: { displayName: string } } | null; problems: Array<{ message: string }> }>;
    };
    expect(answer.deals.length).toBeGreaterThan(0);
    const shown = text(page);
    for (const deal of answer.deals) {
      expect(shown).toContain(deal.dealName ?? `Deal ${deal.dealId}`);
      for (const problem of deal.problems) expect(shown).toContain(problem.message);
      if (deal.document) expect(shown).toContain(`${deal.document.kind === 'estimate' ? 'Estimate' : 'Invoice'} for ${deal.document.customer.displayName}, `);
    }
    expect(shown.match(/No document/g)?.length ?? 0).toBe(answer.deals.filter((d) => d.document === null).length);
  });

  it('When a deal waits for its QuickBooks customer, then the admin rejects one suggestion and accepts another on the page, and the deal leaves the review list', async () => {
    // A company resembling three QBO customers equally ("ABC LLC", "ABC, LLC", "ABC Inc" in the demo books) waits for
    // a person; the default item keeps the deal's unmapped line from being its problem.
    await q.settings({ defaultItemId: '3' });
    const { dealId } = await makeDeal(q, { name: 'Page review', company: 'abc llc.', lines: [{ name: 'Consulting', price: '120', quantity: '2' }] });
    expect((await createThroughCard(q, dealId)).documents).toEqual([]);
    const reviewOf = async () => (await q.card('GET', '/api/customers/review')).body.review.find((r: { dealId: string }) => r.dealId === dealId);
    const candidates = (await reviewOf()).candidates as Array<{ id: string; displayName: string }>;
    expect(candidates.length).toBeGreaterThan(1);

    const { page, bridge } = open(q, await anAdmin(q));
    await shows(page, `(deal ${dealId})`);
    press(page, 'Reject');
    await shows(page, `${candidates[0]!.displayName} will not be proposed again`);
    // The list is read again: the rejected suggestion's row goes (until then the old rows stay, not pressable).
    await page.waitFor(() => expect(page.findAll(Button, (b) => b.text === 'Accept' && !b.props.disabled)).toHaveLength(candidates.length - 1), { timeoutInMs: REAL });
    expect((await reviewOf()).candidates.map((c: { id: string }) => c.id)).not.toContain(candidates[0]!.id);

    press(page, 'Accept');
    await shows(page, 'is now the customer for abc llc.');
    await shows(page, 'No customers wait for a decision.');
    expect(await reviewOf()).toBeUndefined();
    expect(bridge.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${JSON.stringify(r.body)} ${r.status}`)).toEqual([
      `/api/customers/review/${dealId} {"reject":"${candidates[0]!.id}"} 200`,
      `/api/customers/review/${dealId} {"accept":"${candidates[1]!.id}"} 200`,
    ]);
  });

  // Last: it deletes the account's data and uninstalls DealBooks.
  it('When an admin types the account id and deletes the data, then the page says the data is deleted and DealBooks refuses the account’s requests afterwards', async () => {
    const { page, bridge } = open(q, await anAdmin(q));
    await shows(page, `Type the account id ${q.portalId} to confirm`);
    const remove = () => page.find(LoadingButton, (n) => n.text === 'Delete all DealBooks data');
    expect(remove().props.disabled).toBe(true);
    change(page.find(Input, { name: 'deleteConfirm' }), String(q.portalId + 1));
    await page.waitFor(() => expect(remove().props.disabled).toBe(true));
    change(page.find(Input, { name: 'deleteConfirm' }), String(q.portalId));
    await page.waitFor(() => expect(remove().props.disabled).toBe(false));
    press(page, 'Delete all DealBooks data');
    await shows(page, 'DealBooks data deleted');
    const [deleted] = bridge.requests.filter((r) => r.path === '/api/account/delete');
    expect(deleted).toMatchObject({ method: 'POST', body: { confirm: String(q.portalId) }, status: 200 });
    // The account is gone from DealBooks: its next signed request is refused with the words to install again.
    const after = await q.card('GET', '/api/settings');
    expect(after.status).toBe(403);
    expect(after.body.error.message).toMatch(/DealBooks is not installed/);
  });
});
