import { Router } from 'express';
import { z } from 'zod';
import { ConnectionBlockedError } from '../../errors';
import type { AppContext } from '../../context';
import { latestBlocked, openAction, type DealActionKind } from '../../db/deal-actions';
import { findLink, setManualLink, ensureLink, mergeDetails } from '../../db/entity-links';
import { readSettings } from '../../db/portal-settings';
import { documentOf, saveDocument } from '../../db/qbo-documents';
import { recordSync } from '../../db/sync-log';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UpstreamSlowError } from '../../errors';
import { withDeadline } from '../../lib/deadline';
import { queueDealWork } from '../../jobs/deal-jobs';
import { customerOwner } from '../../sync/customers';
import { conversionRefusal } from '../../sync/quote-to-cash';
import { mayCreate } from '../../sync/settings';
import { dealSummary } from '../../sync/summary';
import { signedAccount } from '../hubspot-auth';

/**
 * The deal card's API (issue 5, point 8), called through HubSpot's signed `hubspot.fetch`; the account comes from the
 * signature only. Reads answer from DealBooks' database; anything that writes to QBO is queued (202) and the card
 * polls the summary, so every answer comes well inside HubSpot's 15 s. State-changing calls are idempotent: HubSpot
 * retries a failed fetch and people double click, and both find the action already queued (or the document made).
 */
const dealId = z.string().regex(/^\d{1,20}$/, 'expected a HubSpot deal id');
const qboId = z.string().regex(/^[0-9A-Za-z-]{1,40}$/, 'expected a QuickBooks id');
const createBody = z.object({ send: z.boolean().optional() }).strict();
const sendBody = z.object({ sendTo: z.email().max(100).optional() }).strict();
const customerBody = z.union([z.object({ customerId: qboId }).strict(), z.object({ create: z.literal(true) }).strict()]);

const PREVIEW_BUDGET_MS = 10_000;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new BadRequestError(z.prettifyError(parsed.error), { code: 'validation_failed' });
  return parsed.data;
}

async function liveConnection(ctx: AppContext, portalId: number) {
  const connection = await ctx.quickbooks.connections.live(portalId);
  if (!connection) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
  if (connection.status === 'needs_reconnect') throw new ConnectionBlockedError('quickbooks', 'needs_reconnect', portalId);
  return connection;
}

/** The card waits at most `ms` for HubSpot or QuickBooks; after that it is told to try again. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new UpstreamSlowError(`${what} is taking longer than ${ms / 1000} s (QuickBooks or HubSpot is slow). Try again in a minute.`));
}

export function dealApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const summaryDeps = () => ({
    pool: ctx.pool,
    clock: ctx.clock,
    connections: ctx.quickbooks.connections,
    installs: ctx.hubspot.installs,
    appBaseUrl: ctx.sync.appBaseUrl,
  });

  router.get('/api/deals/:dealId/summary', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    res.set('cache-control', 'no-store').json(await dealSummary(summaryDeps(), portalId, parse(dealId, req.params.dealId), userId));
  });

  router.get('/api/deals/:dealId/preview', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    const id = parse(dealId, req.params.dealId);
    const kind = req.query.kind === 'estimate' ? 'estimate' : 'invoice';
    const work = (async () => {
      const facts = await ctx.sync.quoteToCash.facts(portalId, id);
      const sending = kind === 'invoice' && facts.settings.delivery === 'send';
      const plan = await ctx.sync.quoteToCash.plan(facts, kind, { userId, sending, auto: false });
      return { facts, plan };
    })();
    const { facts, plan } = await within(work, PREVIEW_BUDGET_MS, 'The preview');
    const customer = plan.customer;
    res.set('cache-control', 'no-store').json({
      dealId: id,
      kind,
      problems: plan.problems,
      customer:
        customer === null
          ? null
          : customer.state === 'linked' || customer.state === 'matched'
            ? { state: customer.state, id: customer.customer.id, displayName: customer.customer.displayName, method: customer.method, confidence: customer.score }
            : customer.state === 'create'
              ? { state: 'will_create', displayName: customer.draft.displayName, email: customer.draft.email ?? null }
              : customer.state === 'needs_confirmation'
                ? { state: 'needs_confirmation', candidates: customer.candidates }
                : { state: 'missing' },
      document: plan.built?.preview ?? null,
      delivery: kind === 'invoice' ? facts.settings.delivery : 'review',
      writes: 'none',
    });
  });

  async function queue(res: import('express').Response, input: { portalId: number; dealId: string; kind: DealActionKind; targetId?: string; userId: number | undefined; options?: Record<string, unknown> }) {
    const { action, created } = await openAction(
      ctx.pool,
      { portalId: input.portalId, dealId: input.dealId, kind: input.kind, targetId: input.targetId, trigger: 'card', userId: input.userId ?? null, options: input.options },
      ctx.clock.now(),
    );
    if (created) await queueDealWork(ctx, { task: 'action', portalId: input.portalId, dealId: input.dealId, actionId: action.id });
    res.status(202).json({ status: 'queued', alreadyQueued: !created, action: { id: action.id, kind: action.kind, status: action.status, createdAt: action.createdAt }, poll: `/api/deals/${input.dealId}/summary` });
  }

  async function requireCreator(portalId: number, userId: number | undefined) {
    const { settings } = await readSettings(ctx.pool, portalId);
    if (!mayCreate(settings, userId)) {
      throw new ForbiddenError('Your DealBooks settings allow only some users to create invoices and estimates. Ask a DealBooks admin to add you.');
    }
    return settings;
  }

  for (const [path, kind] of [
    ['/api/deals/:dealId/invoices', 'invoice'],
    ['/api/deals/:dealId/estimates', 'estimate'],
  ] as const) {
    router.post(path, ctx.signedRequest, async (req, res) => {
      const { portalId, userId } = signedAccount(res);
      const id = parse(dealId, req.params.dealId);
      const body = parse(createBody, req.body);
      const connection = await liveConnection(ctx, portalId);
      await requireCreator(portalId, userId);
      const link = await findLink(ctx.pool, connection.id, 'deal', id, kind === 'invoice' ? 'Invoice' : 'Estimate');
      if (link?.status === 'linked' && link.qboEntityId) {
        // Idempotent: the deal's document exists; a repeated press (or HubSpot's retry) answers with it.
        const doc = await documentOf(ctx.pool, portalId, connection.id, kind, link.qboEntityId);
        res.status(200).json({ status: 'exists', document: { id: link.qboEntityId, docNumber: doc?.docNumber ?? null, url: doc?.webUrl ?? null } });
        return;
      }
      await queue(res, { portalId, dealId: id, kind, userId, options: body.send === undefined ? {} : { send: body.send } });
    });
  }

  router.post('/api/estimates/:estimateId/convert', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    const estimateId = parse(qboId, req.params.estimateId);
    const connection = await liveConnection(ctx, portalId);
    await requireCreator(portalId, userId);
    const stored = await documentOf(ctx.pool, portalId, connection.id, 'estimate', estimateId);
    if (!stored || !stored.dealId) throw new NotFoundError(`Estimate ${estimateId} is not an estimate DealBooks made for a deal of this account.`);
    // The customer may have accepted or rejected it in QBO since DealBooks last looked: judge the estimate as it is
    // now. If QBO is slow, the stored copy decides here and the job checks again before writing.
    let estimate: typeof stored = stored;
    try {
      const fresh = await within(ctx.sync.sales.readDocument(portalId, 'estimate', estimateId), 5_000, 'Reading the estimate');
      if (fresh) {
        const document = fresh.document.currency ? fresh.document : { ...fresh.document, currency: connection.homeCurrency };
        await saveDocument(ctx.pool, { portalId, connectionId: connection.id, dealId: stored.dealId, document }, ctx.clock.now());
        estimate = { ...stored, ...document };
      }
    } catch (err) {
      ctx.logger.warn({ err, portalId, estimateId }, 'the estimate could not be read fresh; judging the stored copy');
    }
    const refusal = conversionRefusal(estimate);
    if (refusal) throw new ConflictError(refusal, { details: { estimateStatus: estimate.txnStatus } });
    const dealId = stored.dealId;
    const invoice = await findLink(ctx.pool, connection.id, 'deal', dealId, 'Invoice');
    if (invoice?.status === 'linked' && invoice.qboEntityId) {
      res.status(200).json({ status: 'exists', document: { id: invoice.qboEntityId } });
      return;
    }
    await queue(res, { portalId, dealId, kind: 'convert', targetId: estimateId, userId });
  });

  router.post('/api/invoices/:invoiceId/send', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    const invoiceId = parse(qboId, req.params.invoiceId);
    const body = parse(sendBody, req.body);
    const connection = await liveConnection(ctx, portalId);
    await requireCreator(portalId, userId);
    const invoice = await documentOf(ctx.pool, portalId, connection.id, 'invoice', invoiceId);
    if (!invoice || !invoice.dealId) throw new NotFoundError(`Invoice ${invoiceId} is not an invoice DealBooks made for a deal of this account.`);
    await queue(res, { portalId, dealId: invoice.dealId, kind: 'send', targetId: invoiceId, userId, options: body.sendTo ? { sendTo: body.sendTo } : {} });
  });

  router.post('/api/deals/:dealId/customer', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    const id = parse(dealId, req.params.dealId);
    const body = parse(customerBody, req.body);
    const connection = await liveConnection(ctx, portalId);
    await requireCreator(portalId, userId);
    const deal = await within(ctx.sync.deals.readDeal(portalId, id), PREVIEW_BUDGET_MS, 'Reading the deal');
    if (!deal) throw new NotFoundError(`Deal ${id} does not exist in this HubSpot account.`);
    const now = ctx.clock.now();
    const { settings } = await readSettings(ctx.pool, portalId);
    let answer: Record<string, unknown>;
    if ('customerId' in body) {
      const customer = await within(ctx.sync.sales.customer(portalId, body.customerId), PREVIEW_BUDGET_MS, 'Reading the customer');
      if (!customer || !customer.active) throw new BadRequestError(`QuickBooks has no active customer ${body.customerId}.`, { code: 'customer_not_found' });
      const owner = customerOwner(deal);
      const targets = settings.customers.projectPerDeal ? [owner] : owner.type === 'deal' ? [owner] : [owner, { type: 'deal' as const, id }];
      for (const target of targets) {
        await setManualLink(ctx.pool, { portalId, connectionId: connection.id, type: target.type, id: target.id, qboType: 'Customer', qboEntityId: customer.id, details: { displayName: customer.displayName, confirmedBy: userId ?? null } }, now);
      }
      await recordSync(ctx.pool, { portalId, action: 'customer', outcome: 'succeeded', message: `Customer confirmed: the deal is billed to "${customer.displayName}".`, dealId: id, qboEntityType: 'Customer', qboEntityId: customer.id }, now);
      answer = { customer: { state: 'linked', id: customer.id, displayName: customer.displayName, method: 'manual', confidence: 1 } };
    } else {
      // "None of these": a new customer is made from the company and contact at the next attempt.
      const link = await ensureLink(ctx.pool, { portalId, connectionId: connection.id, type: 'deal', id, qboType: 'Customer' }, now);
      if (link.status === 'linked') throw new ConflictError('This deal is already billed to a confirmed customer; choose another customer instead.');
      await ctx.pool.query(`UPDATE entity_links SET status = 'pending', updated_at = $2 WHERE id = $1`, [link.id, now]);
      await mergeDetails(ctx.pool, link.id, { decision: 'create', candidates: null, confirmedBy: userId ?? null }, now);
      await recordSync(ctx.pool, { portalId, action: 'customer', outcome: 'succeeded', message: 'A new QuickBooks customer will be created for this deal.', dealId: id }, now);
      answer = { customer: { state: 'will_create' } };
    }
    // The work that stopped to ask goes on by itself.
    const blocked = await latestBlocked(ctx.pool, portalId, id);
    let requeued: number | null = null;
    if (blocked && blocked.problems.some((p) => p.code === 'customer_needs_confirmation' || p.code === 'customer_missing') && (blocked.kind === 'invoice' || blocked.kind === 'estimate')) {
      const { action, created } = await openAction(ctx.pool, { portalId, dealId: id, kind: blocked.kind, trigger: 'retry', userId: userId ?? null, options: blocked.options }, now);
      if (created) await queueDealWork(ctx, { task: 'action', portalId, dealId: id, actionId: action.id });
      requeued = action.id;
    }
    res.json({ ...answer, requeuedActionId: requeued });
  });

  return router;
}
