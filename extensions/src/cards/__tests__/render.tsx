import React, { useState } from 'react';
import { Button } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { DealCard } from '../DealCard';
import { readText } from './fixtures';

/** The card for `dealId` (default 123, the renderer's mock context) in HubSpot's deal sidebar, polling every `pollMs` while work is under way, every `refreshMs` otherwise. */
export function renderCard(options: { dealId?: string; pollMs?: number; refreshMs?: number; followMs?: number; timeZone?: string; locale?: string } = {}) {
  const renderer = createRenderer('crm.record.sidebar');
  const context = renderer.mocks.context;
  if (options.dealId) context.crm.objectId = Number(options.dealId);
  if (options.timeZone) context.portal.timezone = options.timeZone;
  if (options.locale) context.user.locale = options.locale;
  // HubSpot unmounts the card when the person leaves the deal; the renderer has no unmount, so a host does it.
  let close = () => {};
  function Host() {
    const [open, setOpen] = useState(true);
    close = () => setOpen(false);
    return open ? <DealCard context={context} actions={renderer.mocks.actions} pollMs={options.pollMs ?? 20} refreshMs={options.refreshMs ?? 60_000} followMs={options.followMs ?? 200} /> : null;
  }
  renderer.render(<Host />);
  const card = {
    renderer,
    /** The person leaves the deal: the card unmounts. */
    close: () => close(),
    /** What the card says now. */
    text: () => readText(renderer.getRootNode()),
    /** Waits until the card says `words`. */
    says: (words: string | RegExp, timeoutInMs = 2_000) =>
      renderer.waitFor(() => (typeof words === 'string' ? expect(card.text()).toContain(words) : expect(card.text()).toMatch(words)), { timeoutInMs }),
    /** The button a person reads as `label` (in the card or an overlay), or null. */
    button: (label: string) => renderer.maybeFind(Button, (b) => b.text === label),
    buttons: () => renderer.findAll(Button).map((b) => b.text),
    click: (label: string) => {
      const button = card.button(label);
      if (!button) throw new Error(`no button "${label}"; the card says:\n${card.text()}`);
      button.trigger('onClick');
    },
  };
  open.push(card);
  return card;
}

const open: Array<{ close(): void }> = [];
/** Unmounts every card rendered so far (call in afterEach), so no card goes on polling after its test. */
export function closeCards(): void {
  for (const card of open.splice(0)) card.close();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for a check on something other than the card's output (the requests made, the actions called): the
 * renderer's waitFor re-checks only when the output changes.
 */
export async function eventually(check: () => void, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(10);
    }
  }
}
