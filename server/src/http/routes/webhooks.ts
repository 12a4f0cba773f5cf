import express, { type Request } from 'express';
import type { Config } from '../../config';
import { AppError, ServiceUnavailableError, UnauthorizedError } from '../../errors';
import { verifyIntuitSignature } from '../../security/intuit-signature';
import { receiveDelivery, type ReceiveDeps } from '../../webhooks/receive-delivery';
import { recordRefusedSignature } from '../../webhooks/signature-refusals';
import { verifyHubSpotRequest } from '../hubspot-auth';

/**
 * The webhook inbox's doors. A delivery is verified on its raw bytes (forged or stale: 401, nothing stored), then
 * handed to receiveDelivery, which stores it and what it holds.
 */
export interface WebhookRoutesDeps extends ReceiveDeps {
  config: Config;
  /**
   * Told what became of each delivery: refused (signature: nothing stored), failed (stored, not understood) or stored
   * with the counts of its events. A delivery answered 5xx (its events could not be stored) is none of these: the
   * sender retries it. Must not throw.
   */
  onIntake?: (intake: { source: Parameters<typeof receiveDelivery>[1] } & ({ outcome: 'refused' | 'failed' } | { outcome: 'stored'; events: { stored: number; duplicates: number; ignored: number; failed: number } })) => void;
}

const rawBodyOf = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : (req.rawBody ?? Buffer.alloc(0)));

export function webhookRoutes(deps: WebhookRoutesDeps): express.Router {
  const router = express.Router();
  const logger = deps.logger.child({ component: 'webhooks' });
  // Raw bytes for these routes: signatures are over the exact body, and a malformed body must reach the handler.
  const raw = express.raw({ type: () => true, limit: '2mb' });

  const verifiers = {
    hubspot: (req: Request, body: Buffer) =>
      verifyHubSpotRequest(req, { clientSecret: deps.config.hubspot.clientSecret, publicBaseUrl: deps.config.publicBaseUrl, rawBody: body, nowMs: deps.clock.now().getTime() }),
    quickbooks: (req: Request, body: Buffer) => {
      const token = deps.config.quickbooks.webhookVerifierToken;
      if (!token) throw new ServiceUnavailableError('QuickBooks webhooks cannot be verified: QBO_WEBHOOK_VERIFIER_TOKEN is not configured.');
      const signature = req.headers['intuit-signature'];
      if (typeof signature !== 'string' || signature === '') throw new UnauthorizedError('missing intuit-signature');
      if (!verifyIntuitSignature(token, body, signature)) throw new UnauthorizedError('invalid intuit-signature');
    },
  };

  for (const source of ['hubspot', 'quickbooks'] as const) {
    router.post(`/webhooks/${source}`, raw, async (req, res) => {
      const body = rawBodyOf(req);
      try {
        verifiers[source](req, body);
      } catch (err) {
        // The reason only: never the signature, the body or the secret. A refused signature is counted, and warned
        // about once per burst (a sender retries a refused delivery many times).
        if (err instanceof AppError) {
          logger.info({ source, status: err.status, reason: err.message }, 'webhook delivery refused');
          if (err.status === 401) {
            deps.onIntake?.({ source, outcome: 'refused' });
            await recordRefusedSignature(deps, source, err.message).catch((countErr: unknown) => logger.warn({ err: countErr, source }, 'a refused webhook signature could not be counted'));
          }
        }
        throw err;
      }
      const outcome = await receiveDelivery(deps, source, { headers: req.headers, body });
      if (outcome.kind === 'failed') {
        deps.onIntake?.({ source, outcome: 'failed' });
        res.status(200).json({ received: true, stored: 'failed', reason: outcome.reason });
      } else {
        const { kind: _kind, failed, ...counts } = outcome;
        deps.onIntake?.({ source, outcome: 'stored', events: { stored: counts.stored, duplicates: counts.duplicates, ignored: counts.ignored, failed } });
        // `failed` only when some are: what senders and existing callers read stays as it was.
        res.status(200).json(failed > 0 ? { ...counts, failed } : counts);
      }
    });
  }
  return router;
}
