import { readSettings } from '../db/portal-settings';
import { ConnectionBlockedError } from '../errors';
import type { ConnectionView } from '../connections/quickbooks-connections';
import { companyDate } from '../sync/format';
import type { DealSnapshot } from '../sync/model';
import type { Settings } from '../sync/settings';
import type { QuoteToCashDeps } from './deps';

/** What every quote-to-cash decision starts from: the account's QBO connection and settings, and the deal as HubSpot has it now. */
export interface Facts {
  portalId: number;
  /** The deal asked about, also when HubSpot has no such deal. */
  dealId: string;
  connection: ConnectionView | undefined;
  settings: Settings;
  /** Null when HubSpot says the deal does not exist. */
  deal: DealSnapshot | null;
  /** `YYYY-MM-DD` in the QBO company's time zone (UTC until its offset is known). */
  today: string;
}

/** Today's date for the QBO company: invoice dates and closed periods are the company's, not the server's. */
export function companyToday(deps: Pick<QuoteToCashDeps, 'clock'>, utcOffsetMinutes: number | null): string {
  return companyDate(deps.clock.now(), utcOffsetMinutes);
}

/** Reads the facts. The deal is read fresh, so late, repeated or reordered events act on the deal as it is now. */
export async function readFacts(deps: QuoteToCashDeps, portalId: number, dealId: string): Promise<Facts> {
  const [connection, stored] = await Promise.all([deps.connections.live(portalId), readSettings(deps.pool, portalId)]);
  const deal = await deps.deals.readDeal(portalId, dealId);
  return { portalId, dealId, connection, settings: stored.settings, deal, today: companyToday(deps, connection?.utcOffsetMinutes ?? null) };
}

export type ConnectedView = ConnectionView & { status: 'connected' };

/**
 * Work that needs QuickBooks waits for it: the job is parked, not failed, and runs once someone connects or
 * reconnects. The card refuses new work up front in that state, so only queued and automatic work gets here.
 */
export function requireConnected(portalId: number, connection: ConnectionView | undefined): asserts connection is ConnectedView {
  if (!connection) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
  if (connection.status === 'needs_reconnect') throw new ConnectionBlockedError('quickbooks', 'needs_reconnect', portalId);
  if (connection.status !== 'connected') throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
}

/** The connection's state in the words preflight uses. */
export function quickbooksState(connection: ConnectionView | undefined): 'connected' | 'not_connected' | 'needs_reconnect' {
  if (!connection) return 'not_connected';
  return connection.status === 'connected' ? 'connected' : connection.status === 'needs_reconnect' ? 'needs_reconnect' : 'not_connected';
}
