import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { openAction } from '../../db/deal-actions';
import { linksNeedingReview, linksOfType, setManualLink } from '../../db/entity-links';
import { readSettings, writeSettings } from '../../db/portal-settings';
import { listSyncLog, syncLogEntry, type SyncOutcome } from '../../db/sync-log';
import { getAction } from '../../db/deal-actions';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors';
import { wonStageIds } from '../../hubspot/deals';
import { queueDealWork } from '../../jobs/deal-jobs';
import { memoTemplateProblems } from '../../sync/memo';
import { DEFAULT_SETTINGS, settingsSchema, triggerStagesFor } from '../../sync/settings';
import { signedAccount } from '../hubspot-auth';

/**
 * Finance's settings (issue 5, point 2), the product-to-item mapping and customer review list they imply, and the
 * sync log with retry (point 10). All through signed requests; the account comes from the signature.
 */
const putBody = z.object({ settings: z.unknown(), version: z.number().int().min(0) }).strict();
const mappingBody = z.object({ itemId: z.string().regex(/^[0-9A-Za-z-]{1,40}$/) }).strict();
const logQuery = z.object({
  dealId: z.string().regex(/^\d{1,20}$/).optional(),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'blocked', 'retrying']).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function settingsApiRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/api/settings', ctx.signedRequest, async (_req, res) => {
    const { portalId } = signedAccount(res);
    const stored = await readSettings(ctx.pool, portalId);
    // The pipelines make the default trigger stages visible ("Closed Won" of each pipeline). If HubSpot cannot be read
    // right now, the settings still load; the page says the pipelines are unavailable.
    let pipelines: Array<{ id: string; label: string; wonStages: string[]; triggerStages: readonly string[]; stages: Array<{ id: string; label: string }> }> | null = null;
    try {
      const list = await ctx.sync.cache.get(portalId, 'pipelines', () => ctx.sync.deals.pipelines(portalId));
      pipelines = list.map((p) => ({
        id: p.id,
        label: p.label,
        stages: p.stages.map((s) => ({ id: s.id, label: s.label })),
        wonStages: wonStageIds(p),
        triggerStages: triggerStagesFor(stored.settings, p.id, wonStageIds(p)),
      }));
    } catch (err) {
      ctx.logger.warn({ err, portalId }, 'pipelines could not be read for the settings');
    }
    res.set('cache-control', 'no-store').json({ settings: stored.settings, version: stored.version, defaults: DEFAULT_SETTINGS, pipelines, updatedAt: stored.updatedAt });
  });

  router.put('/api/settings', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    const body = putBody.safeParse(req.body ?? {});
    if (!body.success) throw new BadRequestError('Send {"settings": {...}, "version": n} (the version you read).', { code: 'validation_failed' });
    const parsed = settingsSchema.safeParse(body.data.settings ?? {});
    if (!parsed.success) {
      throw new BadRequestError('Some settings are invalid.', {
        code: 'validation_failed',
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const memo = memoTemplateProblems(parsed.data.memoTemplate);
    if (memo.length > 0) throw new BadRequestError(`The memo template has problems: ${memo.join('; ')}`, { code: 'validation_failed', details: memo.map((message) => ({ path: 'memoTemplate', message })) });
    const version = await writeSettings(ctx.pool, portalId, parsed.data, body.data.version, userId ?? null, ctx.clock.now());
    if (version === null) throw new ConflictError('Someone else saved the settings in the meantime. Reload them and apply your change again.', { details: { reason: 'version_conflict' } });
    ctx.logger.info({ portalId, version }, 'settings saved');
    res.json({ settings: parsed.data, version });
  });

  router.get('/api/mappings/products', ctx.signedRequest, async (_req, res) => {
    const { portalId } = signedAccount(res);
    const connection = await ctx.quickbooks.connections.live(portalId);
    const links = connection ? await linksOfType(ctx.pool, connection.id, 'product', 'Item') : [];
    res.json({ mappings: links.filter((l) => l.status === 'linked').map((l) => ({ productId: l.hubspotObjectId, itemId: l.qboEntityId, method: l.matchMethod, updatedAt: l.updatedAt })) });
  });

  router.put('/api/mappings/products/:productId', ctx.signedRequest, async (req, res) => {
    const { portalId } = signedAccount(res);
    const productId = z.string().regex(/^\d{1,20}$/).safeParse(req.params.productId);
    const body = mappingBody.safeParse(req.body ?? {});
    if (!productId.success || !body.success) throw new BadRequestError('Send {"itemId": "<QuickBooks item id>"} for a HubSpot product id.', { code: 'validation_failed' });
    const connection = await ctx.quickbooks.connections.live(portalId);
    if (!connection) throw new ConflictError('Connect QuickBooks first.');
    const item = await ctx.sync.sales.item(portalId, body.data.itemId);
    if (!item || !item.active) throw new BadRequestError(`QuickBooks has no active item ${body.data.itemId}.`, { code: 'item_not_found' });
    await setManualLink(ctx.pool, { portalId, connectionId: connection.id, type: 'product', id: productId.data, qboType: 'Item', qboEntityId: item.id, details: { itemName: item.name } }, ctx.clock.now());
    res.json({ productId: productId.data, itemId: item.id, itemName: item.name });
  });

  router.get('/api/customers/review', ctx.signedRequest, async (_req, res) => {
    const { portalId } = signedAccount(res);
    const links = await linksNeedingReview(ctx.pool, portalId);
    res.json({
      review: links.map((l) => ({ dealId: l.hubspotObjectType === 'deal' ? l.hubspotObjectId : null, name: l.details.name ?? null, companyId: l.details.companyId ?? null, candidates: l.details.candidates ?? [], since: l.updatedAt })),
    });
  });

  router.get('/api/sync-log', ctx.signedRequest, async (req, res) => {
    const { portalId } = signedAccount(res);
    const query = logQuery.safeParse(req.query);
    if (!query.success) throw new BadRequestError(z.prettifyError(query.error), { code: 'validation_failed' });
    const page = await listSyncLog(ctx.pool, portalId, { ...query.data, outcome: query.data.outcome as SyncOutcome | undefined });
    res.set('cache-control', 'no-store').json({ entries: page.entries, next: page.nextBefore === null ? null : { before: page.nextBefore } });
  });

  router.post('/api/sync-log/:id/retry', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    const id = z.coerce.number().int().positive().safeParse(req.params.id);
    if (!id.success) throw new BadRequestError('expected a sync log entry id', { code: 'validation_failed' });
    const entry = await syncLogEntry(ctx.pool, portalId, id.data);
    if (!entry) throw new NotFoundError(`Sync log entry ${id.data} does not exist in this account.`);
    const original = entry.dealActionId ? await getAction(ctx.pool, portalId, entry.dealActionId) : null;
    if (!original || !entry.dealId) throw new ConflictError('This entry is not about an action that can be retried.');
    if (entry.outcome === 'succeeded' || entry.outcome === 'skipped') throw new ConflictError('This attempt succeeded; there is nothing to retry.');
    const { action, created } = await openAction(
      ctx.pool,
      { portalId, dealId: original.dealId, kind: original.kind, targetId: original.targetId, trigger: 'retry', userId: userId ?? null, options: original.options },
      ctx.clock.now(),
    );
    if (created) await queueDealWork(ctx, { task: 'action', portalId, dealId: original.dealId, actionId: action.id });
    res.status(202).json({ status: 'queued', alreadyQueued: !created, action: { id: action.id, kind: action.kind }, poll: `/api/deals/${original.dealId}/summary` });
  });

  return router;
}
