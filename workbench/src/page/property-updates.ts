import { release, retain } from '@remote-ui/rpc';

type Callback = (properties: Record<string, string>, error?: { message: string }) => void;

/**
 * actions.onCrmPropertiesUpdate as the record page provides it: the card names the deal's properties it cares about
 * and is called back with their new values when the person edits one of them on the record. The callbacks are
 * functions of the worker, kept callable (retained) until the card is closed.
 */
export function propertyUpdates() {
  const listeners: Array<{ names: string[] | '*'; callback: Callback }> = [];
  return {
    subscribe(names: string[] | '*', callback: Callback) {
      retain(callback);
      listeners.push({ names, callback });
    },
    /** The person changed these properties on the record (new values). */
    notify(changed: Record<string, string>) {
      for (const { names, callback } of listeners) {
        const relevant = names === '*' ? Object.keys(changed) : names.filter((n) => n in changed);
        if (relevant.length === 0) continue;
        // The card's own failure is the card's to show; the record page carries on either way.
        try {
          Promise.resolve(callback(Object.fromEntries(relevant.map((n) => [n, changed[n]!])))).catch(() => undefined);
        } catch {
          // A callback of a card that has just closed (released): nothing listens there any more.
        }
      }
    },
    /** The card closed: its callbacks can go. */
    clear() {
      for (const { callback } of listeners.splice(0)) release(callback);
    },
  };
}
