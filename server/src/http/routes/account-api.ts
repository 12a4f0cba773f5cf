import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { BadRequestError } from '../../errors';
import { deleteAccountData } from '../../privacy/account-data';
import { signedAccount } from '../hubspot-auth';

/**
 * Leaving DealBooks. `POST /api/account/delete` (from the settings page, confirmed by typing the account id) revokes
 * the QuickBooks grant at Intuit, uninstalls the app from the HubSpot account, then deletes everything DealBooks holds
 * for the account. The two remote steps are best effort: the data is deleted even when Intuit or HubSpot cannot be
 * reached, and the answer says what the person still has to do by hand.
 */
const deleteBody = z.object({ confirm: z.union([z.string(), z.number()]).transform(String) });

export function accountApiRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post('/api/account/delete', ctx.signedRequest, async (req, res) => {
    const { portalId } = signedAccount(res);
    const body = deleteBody.safeParse(req.body ?? {});
    if (!body.success || body.data.confirm !== String(portalId)) {
      throw new BadRequestError(`To delete all DealBooks data of this account, confirm with the account id ${portalId}.`, { code: 'confirmation_required' });
    }
    const log = ctx.logger.child({ portalId });

    let quickbooks: 'revoked' | 'not_connected' | 'revoke_failed' = 'not_connected';
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

    let hubspot: 'uninstalled' | 'uninstall_failed' = 'uninstalled';
    try {
      const { token } = await ctx.hubspot.installs.accessToken(portalId);
      await ctx.hubspot.oauth.uninstall(token);
    } catch (err) {
      hubspot = 'uninstall_failed';
      log.warn({ reason: err instanceof Error ? err.message : 'unknown' }, 'uninstalling from HubSpot failed while leaving');
    }

    const counts = await deleteAccountData(ctx.pool, ctx.jobs.schema, portalId);
    log.info({ quickbooks, hubspot, removed: counts }, 'account left DealBooks: all its data deleted');

    const todo: string[] = [];
    if (quickbooks === 'revoke_failed') todo.push('Remove DealBooks in QuickBooks: Settings > Apps > My apps > DealBooks > Disconnect.');
    if (hubspot === 'uninstall_failed') todo.push('Uninstall DealBooks in HubSpot: Settings > Integrations > Connected apps > DealBooks > Uninstall.');
    res.json({ deleted: true, quickbooks, hubspot, todo });
  });

  return router;
}
