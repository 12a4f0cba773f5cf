import { JobMustWaitError } from '../jobs/queue';

/**
 * A connection a person must repair: QuickBooks not connected or needing a reconnect, DealBooks uninstalled from
 * HubSpot. Work that needs it waits (JobMustWaitError); requests answer with these words.
 */
export type BlockedState = 'not_connected' | 'needs_reconnect' | 'uninstalled';

export class ConnectionBlockedError extends JobMustWaitError {
  constructor(
    readonly provider: 'quickbooks' | 'hubspot',
    readonly state: BlockedState,
    portalId: number,
    options?: { cause?: unknown },
  ) {
    super(blockedMessage(provider, state), portalId, options);
    this.name = 'ConnectionBlockedError';
  }
}

export function blockedMessage(provider: 'quickbooks' | 'hubspot', state: BlockedState): string {
  if (provider === 'quickbooks') {
    return state === 'not_connected'
      ? 'QuickBooks is not connected. Connect QuickBooks in the DealBooks settings.'
      : 'QuickBooks needs to be reconnected: the connection was revoked or expired. Reconnect QuickBooks in the DealBooks settings.';
  }
  return 'DealBooks is no longer installed in this HubSpot account (or its access was revoked). Install DealBooks again from the HubSpot marketplace.';
}

/** The OAuth server said the grant is dead (invalid_grant): only a person can fix it. */
export class GrantRevokedError extends Error {
  override name = 'GrantRevokedError';
}

/** A refresh that failed for a reason that may pass (network, 5xx, throttling): retried later, the grant kept. */
export class RefreshFailedError extends Error {
  override name = 'RefreshFailedError';
}
