import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { parseInput } from '../../lib/validation';
import { changeAdmins } from '../../connections/account-admins';
import { mapProduct, productMappings, saveSettings, settingsView, syncLogPage } from '../../quote-to-cash/account-settings';
import { retryLogged } from '../../quote-to-cash/card-actions';
import { customersToReview, decideReview } from '../../quote-to-cash/customer-review';
import { dryRun } from '../../quote-to-cash/dry-run';
import { canonicalId, canonicalIdNumber, qboId } from '../../sync/ids';
import { adminOnly, signedAccount } from '../hubspot-auth';

/**
 * The settings page's quote-to-cash routes: finance's settings, the product-to-item mapping, the customer review
 * list, and the sync log with retry. All through signed requests; the account comes from the signature.
 */
const putBody = z.object({ settings: z.unknown(), version: z.number().int().min(0) }).strict();
const productId = canonicalId;
const mappingBody = z.object({ itemId: qboId }).strict();
const logQuery = z.object({
  dealId: canonicalId.optional(),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'blocked', 'retrying']).optional(),
  before: canonicalIdNumber.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const logEntryId = canonicalIdNumber;
// HubSpot user ids are whole numbers and arrive on signed requests as numbers: an id beyond JavaScript's safe integers
// could never match the user who signs, so it would be an admin nobody can be.
const hubspotUserId = canonicalId.refine((id) => Number.isSafeInteger(Number(id)), 'expected a HubSpot user id (a whole number up to 9007199254740991)');
const adminsBody = z.object({ admins: z.array(hubspotUserId).max(100) }).strict();
const reviewBody = z.union([
  z.object({ accept: qboId }).strict(),
  z.object({ reject: qboId }).strict(),
  z.object({ choose: qboId }).strict(),
  z.object({ create: z.literal(true) }).strict(),
]);

export function settingsApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps = ctx.quoteToCash;

  router.get('/api/settings', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await settingsView(deps, signedAccount(res)));
  });

  // Only admins change what DealBooks does in the account; everyone in it may read (connections/account-admins.ts).
  const mayChangeSettings = adminOnly(ctx.pool, 'change settings');

  // Who may change the list is checked before the body is read: someone who may not gets 403, whatever they sent.
  router.put('/api/settings/admins', ctx.signedRequest, adminOnly(ctx.pool, 'change who the DealBooks admins are'), async (req, res) => {
    const body = parseInput(adminsBody, req.body, 'Send {"admins": ["<HubSpot user id>", ...]}.');
    res.json({ access: await changeAdmins(ctx, signedAccount(res), body.admins) });
  });

  router.put('/api/settings', ctx.signedRequest, mayChangeSettings, async (req, res) => {
    const body = parseInput(putBody, req.body, 'Send {"settings": {...}, "version": n} (the version you read).');
    res.json(await saveSettings(deps, signedAccount(res), body, 'replace'));
  });

  router.patch('/api/settings', ctx.signedRequest, mayChangeSettings, async (req, res) => {
    const body = parseInput(putBody, req.body, 'Send {"settings": {only the settings to change}, "version": n} (the version you read).');
    res.json(await saveSettings(deps, signedAccount(res), body, 'merge'));
  });

  router.get('/api/mappings/products', ctx.signedRequest, async (_req, res) => {
    res.json(await productMappings(deps, signedAccount(res).portalId));
  });

  router.put('/api/mappings/products/:productId', ctx.signedRequest, adminOnly(ctx.pool, 'map products to QuickBooks items'), async (req, res) => {
    const hint = 'Send {"itemId": "<QuickBooks item id>"} for a HubSpot product id.';
    const product = parseInput(productId, req.params.productId, hint);
    const body = parseInput(mappingBody, req.body, hint);
    res.json(await mapProduct(deps, signedAccount(res).portalId, product, body.itemId));
  });

  router.get('/api/customers/review', ctx.signedRequest, async (_req, res) => {
    res.json({ review: await customersToReview(deps, signedAccount(res).portalId) });
  });

  // Deciding a deal's customer is billing work: whoever may create documents decides (customer-review.ts), as on the card.
  router.post('/api/customers/review/:dealId', ctx.signedRequest, async (req, res) => {
    const hint = 'Send {"accept": "<customer id>"}, {"reject": "<customer id>"}, {"choose": "<customer id>"} or {"create": true} for a deal id.';
    const dealId = parseInput(canonicalId, req.params.dealId, hint);
    const decision = parseInput(reviewBody, req.body, hint);
    res.json(await decideReview(deps, signedAccount(res), dealId, decision));
  });

  // What auto-invoice would make of the account's latest won deals under the current settings; writes nothing.
  router.get('/api/dry-run', ctx.signedRequest, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await dryRun(deps, signedAccount(res)));
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
