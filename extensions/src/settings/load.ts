import { useCallback, useEffect, useRef, useState } from 'react';
import { callDealBooks, DealBooksError, UNREACHABLE } from '../shared/api';

/**
 * One read from DealBooks as a section shows it: loading, an error in DealBooks' words (with retry), or the answer.
 * `refreshing` is set while the same read is made again: the last answer stays on screen meanwhile.
 */
export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; error: DealBooksError }
  | { state: 'ready'; data: T; refreshing?: boolean };

export function asDealBooksError(err: unknown): DealBooksError {
  return err instanceof DealBooksError ? err : new DealBooksError(0, 'unreachable', UNREACHABLE);
}

/**
 * Reads `path` (null: nothing to read, e.g. QuickBooks is not connected) and reads it again on `reload()`.
 * Reading the same path again keeps the last answer, marked refreshing, so a reload never replaces what a person sees
 * (notes, unsaved edits) with a spinner. Another path starts over at loading, and a path that becomes null forgets
 * the answer: it belonged to what is no longer there (a disconnected company's items must not stay on offer).
 */
export function useDealBooks<T>(path: string | null): { loaded: Loaded<T>; reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const lastPath = useRef<string | null>(null);
  useEffect(() => {
    const samePath = lastPath.current === path;
    lastPath.current = path;
    if (path === null) {
      setLoaded({ state: 'loading' });
      return;
    }
    let current = true;
    setLoaded((was) => (samePath && was.state === 'ready' ? { state: 'ready', data: was.data, refreshing: true } : { state: 'loading' }));
    callDealBooks<T>(path).then(
      (answer) => current && setLoaded({ state: 'ready', data: answer.body }),
      (err: unknown) => current && setLoaded({ state: 'error', error: asDealBooksError(err) }),
    );
    return () => {
      current = false;
    };
  }, [path, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { loaded, reload };
}

/**
 * The messages of a refused save keyed by setting path (`customers.matchThreshold`), so each is shown beside its
 * field. DealBooks names the fields either as `details.fields` ({path: message}) or as a list of {path, message};
 * paths may be given from the request body (`settings.memoTemplate`), which is the same field.
 */
export function fieldMessages(error: DealBooksError): Record<string, string> {
  const details = error.details as unknown;
  const out: Record<string, string> = {};
  const add = (path: unknown, message: unknown) => {
    if (typeof path !== 'string' || typeof message !== 'string') return;
    const key = path.startsWith('settings.') ? path.slice('settings.'.length) : path;
    out[key] = out[key] ? `${out[key]} ${message}` : message;
  };
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    const fields = (details as { fields?: unknown }).fields;
    if (fields && typeof fields === 'object') for (const [path, message] of Object.entries(fields)) add(path, message);
  }
  if (Array.isArray(details)) for (const d of details) add(d?.path, d?.message);
  return out;
}

/** Integer cents as money for a person ("1,234.50 USD"); whole-number arithmetic only, never floats. */
export function formatCents(cents: number, currency: string | null): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${rest}${currency ? ` ${currency}` : ''}`;
}
