import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { BadRequestError } from '../../errors';
import { leaveAccount } from '../../privacy/leave-account';
import { adminOnly, signedAccount } from '../hubspot-auth';

/**
 * Leaving DealBooks: `POST /api/account/delete` from the settings page, confirmed by typing the account id. The work
 * (revoke at Intuit, uninstall from HubSpot, delete the data) is privacy/leave-account.ts; the answer lists what is
 * left to do by hand.
 */
const deleteBody = z.object({ confirm: z.union([z.string(), z.number()]).transform(String) });

export function accountApiRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post('/api/account/delete', ctx.signedRequest, adminOnly(ctx.pool, 'delete the DealBooks data of this account'), async (req, res) => {
    const { portalId } = signedAccount(res);
    const body = deleteBody.safeParse(req.body ?? {});
    if (!body.success || body.data.confirm !== String(portalId)) {
      throw new BadRequestError(`To delete all DealBooks data of this account, confirm with the account id ${portalId}.`, { code: 'confirmation_required' });
    }
    res.json(await leaveAccount(ctx, portalId));
  });

  return router;
}
