import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { parseInput } from '../../lib/validation';
import { customersToReview, mapProduct, productMappings, saveSettings, settingsView, syncLogPage } from '../../quote-to-cash/account-settings';
import { retryLogged } from '../../quote-to-cash/card-actions';
import { canonicalId, canonicalIdNumber } from '../../sync/ids';
import { signedAccount } from '../hubspot-auth';

/**
 * The settings page's quote-to-cash routes: finance's settings, the product-to-item mapping, the customer review
 * list, and the sync log with retry. All through signed requests; the account comes from the signature.
 */
const putBody = z.object({ settings: z.unknown(), version: z.number().int().min(0) }).strict();
const productId = canonicalId;
const mappingBody = z.object({ itemId: z.string().regex(/^[0-9A-Za-z-]{1,40}$/) }).strict();
const logQuery = z.object({
  dealId: canonicalId.optional(),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'blocked', 'retrying']).optional(),
  before: canonicalIdNumber.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const logEntryId = canonicalIdNumber;

export function settingsApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps = ctx.quoteToCash;

  router.get('/api/settings', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await settingsView(deps, signedAccount(res).portalId));
  });

  router.put('/api/settings', ctx.signedRequest, async (req, res) => {
    const body = parseInput(putBody, req.body, 'Send {"settings": {...}, "version": n} (the version you read).');
    res.json(await saveSettings(deps, signedAccount(res), body, 'replace'));
  });

  router.patch('/api/settings', ctx.signedRequest, async (req, res) => {
    const body = parseInput(putBody, req.body, 'Send {"settings": {only the settings to change}, "version": n} (the version you read).');
    res.json(await saveSettings(deps, signedAccount(res), body, 'merge'));
  });

  router.get('/api/mappings/products', ctx.signedRequest, async (_req, res) => {
    res.json({ mappings: await productMappings(deps, signedAccount(res).portalId) });
  });

  router.put('/api/mappings/products/:productId', ctx.signedRequest, async (req, res) => {
    const hint = 'Send {"itemId": "<QuickBooks item id>"} for a HubSpot product id.';
    const product = parseInput(productId, req.params.productId, hint);
    const body = parseInput(mappingBody, req.body, hint);
    res.json(await mapProduct(deps, signedAccount(res).portalId, product, body.itemId));
  });

  router.get('/api/customers/review', ctx.signedRequest, async (_req, res) => {
    res.json({ review: await customersToReview(deps, signedAccount(res).portalId) });
  });

  router.get('/api/sync-log', ctx.signedRequest, async (req, res) => {
    const page = await syncLogPage(deps, signedAccount(res).portalId, parseInput(logQuery, req.query));
    res.set('cache-control', 'no-store').json({ entries: page.entries, next: page.nextBefore === null ? null : { before: page.nextBefore } });
  });

  router.post('/api/sync-log/:id/retry', ctx.signedRequest, async (req, res) => {
    const { action, alreadyQueued } = await retryLogged(deps, signedAccount(res), parseInput(logEntryId, req.params.id, 'expected a sync log entry id'));
    res.status(202).json({ status: 'queued', alreadyQueued, action: { id: action.id, kind: action.kind }, poll: `/api/deals/${action.dealId}/summary` });
  });

  return router;
}
