import { ConnectionBlockedError, JobMustWaitError } from '../errors';
import { QuickbooksApiError } from '../quickbooks/api';
import type { Problem } from '../sync/model';

/** The words DealBooks uses when QuickBooks refuses something or a connection stops work. */

/** "the connection was reset" -> "The connection was reset." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * QuickBooks answered with a definite refusal (a validation fault: nothing was written, and repeating the same
 * request would be refused again). Null for anything that may pass or whose outcome is unknown.
 */
export function definiteRefusal(err: unknown): QuickbooksApiError | null {
  return err instanceof QuickbooksApiError && !err.retryable && !err.outcomeUnknown ? err : null;
}

export function refusalProblem(what: string, err: QuickbooksApiError): Problem {
  const reason = err.detail ?? err.message;
  const code = err.code ? ` (QuickBooks error ${err.code})` : '';
  return { code: 'qbo_rejected', message: `${what} was refused by QuickBooks${code}: ${reason}. Fix it in HubSpot or in DealBooks settings, then retry from the sync log.` };
}

/** What a deal action waits for while a connection needs a person. */
export function blockedProblem(err: ConnectionBlockedError | JobMustWaitError): Problem {
  if (err instanceof ConnectionBlockedError && err.provider === 'hubspot') {
    return { code: 'hubspot_uninstalled', message: 'DealBooks is no longer installed in this HubSpot account. Reinstall it from the HubSpot marketplace.' };
  }
  if (err instanceof ConnectionBlockedError && err.state === 'not_connected') {
    return { code: 'quickbooks_not_connected', message: 'QuickBooks is not connected. Connect QuickBooks in DealBooks settings; the work waits and runs once it is connected.' };
  }
  return { code: 'quickbooks_needs_reconnect', message: 'QuickBooks needs to be reconnected. Reconnect QuickBooks in DealBooks settings; the work waits and runs once it is reconnected.' };
}
