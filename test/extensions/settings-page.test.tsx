import React from 'react';
import { Button, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { SettingsPage } from '../../extensions/src/settings/SettingsPage';
import { change, maybeButton, press, text, type Page } from '../../extensions/src/settings/page-test-kit';
import { browse } from '../support/world';
import { useQ2C, type Q2C } from '../quote-to-cash/support';
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

async function shows(page: Page, words: string): Promise<void> {
  await page.waitFor(() => expect(text(page)).toContain(words), { timeoutInMs: REAL });
}

describe('The settings page against a running DealBooks', () => {
  const q = useQ2C();

  it('When an admin disconnects QuickBooks and connects it again from the page, then the sign-in link DealBooks makes completes the connection and the page shows the company connected', async () => {
    const company = (await q.card('GET', '/api/quickbooks/status')).body.company.name as string;
    const { page, bridge } = open(q);
    await shows(page, company);
    press(page, 'Disconnect');
    await shows(page, 'Disconnect QuickBooks?');
    press(page, 'Yes, disconnect');
    await shows(page, `DealBooks is disconnected from ${company}`);
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
    expect(text(page)).toContain('Connected');
    expect(text(page)).toContain(company);
    expect(bridge.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.status}`)).toEqual(['/api/quickbooks/disconnect 200', '/api/quickbooks/connect-url 200']);
  });

  it('When a setting DealBooks refuses is saved, then its message is shown beside the field; corrected, the save is stored', async () => {
    const { page } = open(q);
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
});
