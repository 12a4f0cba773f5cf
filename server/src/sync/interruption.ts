import type { Problem } from './model';

/**
 * Why an attempt at a deal action stopped on something that may pass (the job queue tries again later), in words
 * for the card and a code for the sync log. A failure with no HTTP answer is a network failure: code "network" and
 * the error's own words, never the placeholder status 0.
 */
export interface FailureFacts {
  service: 'quickbooks' | 'hubspot' | null;
  /** HTTP status; 0 or undefined when no answer came back. */
  status: number | undefined;
  /** The service's own error code, when it gave one (QBO fault codes). */
  code?: string | undefined;
  message: string;
}

export interface Interruption {
  /** For the sync log's error code column: a QBO fault code, an HTTP status, or "network". */
  errorCode: string | null;
  /** What the work waits for, shown on the card while it waits. */
  problem: Problem;
}

const SERVICE_NAME = { quickbooks: 'QuickBooks', hubspot: 'HubSpot' } as const;
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function interruptionOf(failure: FailureFacts): Interruption {
  const again = 'DealBooks tries again by itself.';
  if (failure.service === null) {
    return { errorCode: null, problem: { code: 'temporarily_failed', message: `The last attempt failed: ${sentence(failure.message)} ${again}` } };
  }
  const name = SERVICE_NAME[failure.service];
  const code = failure.service === 'quickbooks' ? 'quickbooks_unavailable' : 'hubspot_unavailable';
  if (!failure.status) {
    return { errorCode: 'network', problem: { code, message: `${name} is not answering: ${sentence(failure.message)} ${again}` } };
  }
  const errorCode = failure.code ?? String(failure.status);
  if (failure.status === 429) {
    return { errorCode, problem: { code, message: `${name} is limiting how fast DealBooks may call it (HTTP 429). ${again}` } };
  }
  if (failure.status >= 500) {
    return { errorCode, problem: { code, message: `${name} is having trouble (HTTP ${failure.status}): ${sentence(failure.message)} ${again}` } };
  }
  return { errorCode, problem: { code: 'temporarily_failed', message: `${name} did not accept the last attempt (HTTP ${failure.status}): ${sentence(failure.message)} ${again}` } };
}

/** The problems that mean "waiting for the next attempt", as opposed to waiting for a person. */
export const WAITING_FOR_RETRY_CODES = ['quickbooks_unavailable', 'hubspot_unavailable', 'temporarily_failed'] as const;
