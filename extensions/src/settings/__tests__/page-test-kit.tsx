/** Rendering the settings page in its tests with HubSpot's official renderer, and acting on it as a person would. */
import React from 'react';
import { Button, LoadingButton } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { readable } from './fake-dealbooks';
import { SettingsPage } from '../SettingsPage';

export type Page = ReturnType<typeof createRenderer<'settings'>>;

export function renderPage(): Page {
  const page = createRenderer('settings');
  page.render(<SettingsPage context={page.mocks.context} />);
  return page;
}

export const text = (page: Page) => readable(page.getRootNode());

/** Waits until the page shows `words` (DealBooks answers arrive asynchronously). */
export async function shows(page: Page, words: string, timeoutInMs = 3000): Promise<void> {
  await page.waitFor(() => expect(text(page)).toContain(words), { timeoutInMs });
}

/** The button (plain or loading) whose words are exactly `words`; null when the page does not offer it. */
export function maybeButton(page: Page, words: string) {
  return page.maybeFind(Button, (n) => n.text === words) ?? page.maybeFind(LoadingButton, (n) => n.text === words);
}

export function press(page: Page, words: string): void {
  const button = maybeButton(page, words);
  if (!button) throw new Error(`the page offers no button "${words}":\n${text(page)}`);
  button.trigger('onClick');
}

/**
 * A person changing an input, select or toggle to `value`. (The renderer's `trigger` types its argument as the
 * handler itself, so the call is made through a plain signature.)
 */
export function change(control: { trigger: unknown }, value: unknown): void {
  (control.trigger as (event: string, arg: unknown) => void)('onChange', value);
}

/**
 * A person typing `value` into an input without leaving it: HubSpot fires onInput on each edit and onChange only
 * when the value is committed (blur), so what must follow typing is driven here by onInput alone.
 */
export function type(control: { trigger: unknown }, value: unknown): void {
  (control.trigger as (event: string, arg: unknown) => void)('onInput', value);
}
