import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { parseInput } from '../../lib/validation';
import { requestConversion, requestDocument, requestSend, type CardRequest } from '../../quote-to-cash/card-actions';
import { dealSummary } from '../../quote-to-cash/card-summary';
import { confirmCustomer } from '../../quote-to-cash/confirm-customer';
import { previewDocument } from '../../quote-to-cash/preview';
import { canonicalId, qboId } from '../../sync/ids';
import { signedAccount } from '../hubspot-auth';

/**
 * The deal card's API, called through HubSpot's signed `hubspot.fetch`; the account comes from the signature only.
 * Reads answer from DealBooks' database; anything that writes to QBO is queued (202) and the card polls the summary,
 * so every answer comes well inside HubSpot's 15 s.
 */
const dealId = canonicalId;
const createBody = z.object({ send: z.boolean().optional() }).strict();
const sendBody = z.object({ sendTo: z.email().max(100).optional() }).strict();
const customerBody = z.union([z.object({ customerId: qboId }).strict(), z.object({ create: z.literal(true) }).strict()]);

/** 200 with the document that exists, or 202 with the queued action the card polls for. */
function answer(res: Response, request: CardRequest): void {
  if (request.kind === 'exists') {
    res.status(200).json({ status: 'exists', document: request.document });
    return;
  }
  const { action, alreadyQueued } = request;
  // A send says where QuickBooks will email the invoice.
  const sendTo = request.sendTo === undefined ? {} : { sendTo: request.sendTo };
  res.status(202).json({ status: 'queued', alreadyQueued, action: { id: action.id, kind: action.kind, status: action.status, createdAt: action.createdAt }, ...sendTo, poll: `/api/deals/${action.dealId}/summary` });
}

export function dealApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps = ctx.quoteToCash;

  router.get('/api/deals/:dealId/summary', ctx.signedRequest, async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    res.set('cache-control', 'no-store').json(await dealSummary(deps, portalId, parseInput(dealId, req.params.dealId), userId));
  });

  router.get('/api/deals/:dealId/preview', ctx.signedRequest, async (req, res) => {
    const kind = req.query.kind === 'estimate' ? 'estimate' : 'invoice';
    res.set('cache-control', 'no-store').json(await previewDocument(deps, signedAccount(res), parseInput(dealId, req.params.dealId), kind));
  });

  for (const kind of ['invoice', 'estimate'] as const) {
    router.post(`/api/deals/:dealId/${kind}s`, ctx.signedRequest, async (req, res) => {
      const id = parseInput(dealId, req.params.dealId);
      const body = parseInput(createBody, req.body);
      answer(res, await requestDocument(deps, signedAccount(res), id, kind, body));
    });
  }

  router.post('/api/estimates/:estimateId/convert', ctx.signedRequest, async (req, res) => {
    answer(res, await requestConversion(deps, signedAccount(res), parseInput(qboId, req.params.estimateId)));
  });

  router.post('/api/invoices/:invoiceId/send', ctx.signedRequest, async (req, res) => {
    const invoiceId = parseInput(qboId, req.params.invoiceId);
    const body = parseInput(sendBody, req.body);
    answer(res, await requestSend(deps, signedAccount(res), invoiceId, body.sendTo));
  });

  router.post('/api/deals/:dealId/customer', ctx.signedRequest, async (req, res) => {
    const id = parseInput(dealId, req.params.dealId);
    const body = parseInput(customerBody, req.body);
    res.json(await confirmCustomer(deps, signedAccount(res), id, body));
  });

  return router;
}
