import { Router } from 'express';
import type { AppContext } from '../../context';
import { ConflictError, QuickbooksFailedError } from '../../errors';
import { createConnectUrl } from '../../connections/connect-quickbooks';
import { disconnect, quickbooksStatus, testConnection } from '../../connections/quickbooks-status';
import { requestChangeCheck } from '../../quote-to-cash/qbo-change-check';
import { classPicks, customerPicks, itemPicks, taxCodePicks, termPicks } from '../../quote-to-cash/qbo-pickers';
import { parseInput } from '../../lib/validation';
import { z } from 'zod';
import { adminOnly, signedAccount } from '../hubspot-auth';

/**
 * The settings page's QuickBooks routes, called through HubSpot's signed `hubspot.fetch`. The account is the one
 * in the signed query (signedAccount), never one named in a body.
 */
export function quickbooksApiRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post('/api/quickbooks/connect-url', ctx.signedRequest, adminOnly(ctx.pool, 'connect QuickBooks'), async (_req, res) => {
    const { portalId, userId, userEmail } = signedAccount(res);
    const { url, expiresAt } = await createConnectUrl(ctx, { portalId, userId, userEmail });
    res.set('cache-control', 'no-store').json({ url, expiresAt });
  });

  router.get('/api/quickbooks/status', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await quickbooksStatus(ctx, signedAccount(res).portalId));
  });

  router.post('/api/quickbooks/test', ctx.signedRequest, async (_req, res) => {
    const result = await testConnection(ctx, signedAccount(res).portalId);
    if (result.ok) {
      res.json(result);
      return;
    }
    if (result.kind === 'blocked') throw new ConflictError(result.message, { details: { status: result.status } });
    throw new QuickbooksFailedError(result.message, { details: { intuitTid: result.intuitTid } });
  });

  // The backstop on demand: what changed in QuickBooks since the last check is applied (quote-to-cash/qbo-change-check.ts).
  router.post('/api/quickbooks/check-changes', ctx.signedRequest, async (_req, res) => {
    const { portalId } = signedAccount(res);
    res.status(202).json(await requestChangeCheck(ctx.quoteToCash, (id) => ctx.background.checkQuickbooksChanges(id, 'on demand'), portalId));
  });

  router.post('/api/quickbooks/disconnect', ctx.signedRequest, adminOnly(ctx.pool, 'disconnect QuickBooks'), async (_req, res) => {
    res.json(await disconnect(ctx, signedAccount(res).portalId));
  });

  // The settings page's pickers: the connected company's lists, read live (quote-to-cash/qbo-pickers.ts).
  router.get('/api/quickbooks/items', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await itemPicks(ctx.quoteToCash, signedAccount(res).portalId));
  });

  router.get('/api/quickbooks/terms', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await termPicks(ctx.quoteToCash, signedAccount(res).portalId));
  });

  router.get('/api/quickbooks/classes', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await classPicks(ctx.quoteToCash, signedAccount(res).portalId));
  });

  router.get('/api/quickbooks/tax-codes', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await taxCodePicks(ctx.quoteToCash, signedAccount(res).portalId));
  });

  router.get('/api/quickbooks/customers', ctx.signedRequest, async (req, res) => {
    const { search } = parseInput(customersQuery, req.query, 'Send ?search=<part of the customer name> (or nothing for the first 50).');
    res.set('cache-control', 'no-store').json(await customerPicks(ctx.quoteToCash, signedAccount(res).portalId, search));
  });

  return router;
}

/** The signed query carries portalId, userId, userEmail and appId too; only `search` is this route's. */
const customersQuery = z.object({ search: z.string().max(100).optional() });
