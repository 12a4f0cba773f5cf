import type { AppContext } from '../context';
import { deleteAccountData } from './account-data';

/**
 * Leaving DealBooks: revoke the QuickBooks grant at Intuit, uninstall the app from the HubSpot account, then delete
 * everything DealBooks holds for the account. The two remote steps are best effort: the data is deleted even when
 * Intuit or HubSpot cannot be reached, and the result lists what the person still has to do by hand.
 */
export interface LeaveResult {
  deleted: true;
  quickbooks: 'revoked' | 'not_connected' | 'revoke_failed';
  hubspot: 'uninstalled' | 'uninstall_failed';
  /** Steps left to do by hand, in words. */
  todo: string[];
}

export async function leaveAccount(ctx: AppContext, portalId: number): Promise<LeaveResult> {
  const log = ctx.logger.child({ portalId });

  let quickbooks: LeaveResult['quickbooks'] = 'not_connected';
  const disconnected = await ctx.quickbooks.connections.disconnect(portalId);
  if (disconnected) {
    quickbooks = 'revoked';
    try {
      if (disconnected.refreshToken) await ctx.quickbooks.oauth.revoke(disconnected.refreshToken);
    } catch (err) {
      quickbooks = 'revoke_failed';
      log.warn({ reason: err instanceof Error ? err.message : 'unknown' }, 'revoking the QuickBooks grant failed while leaving');
    }
  }

  let hubspot: LeaveResult['hubspot'] = 'uninstalled';
  try {
    const { token } = await ctx.hubspot.installs.accessToken(portalId);
    await ctx.hubspot.oauth.uninstall(token);
  } catch (err) {
    hubspot = 'uninstall_failed';
    log.warn({ reason: err instanceof Error ? err.message : 'unknown' }, 'uninstalling from HubSpot failed while leaving');
  }

  const counts = await deleteAccountData(ctx.pool, portalId, (db, id) => ctx.jobs.deleteAccountJobs(db, id));
  log.info({ quickbooks, hubspot, removed: counts }, 'account left DealBooks: all its data deleted');

  const todo: string[] = [];
  if (quickbooks === 'revoke_failed') todo.push('Remove DealBooks in QuickBooks: Settings > Apps > My apps > DealBooks > Disconnect.');
  if (hubspot === 'uninstall_failed') todo.push('Uninstall DealBooks in HubSpot: Settings > Integrations > Connected apps > DealBooks > Uninstall.');
  return { deleted: true, quickbooks, hubspot, todo };
}
