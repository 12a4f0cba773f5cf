import { randomUUID } from 'node:crypto';
import express, { type Express, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import { BadRequestError } from '../errors';
import { describeJsonProblem, findUnstorable } from '../lib/postgres-text';
import type { Logger } from '../logger';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes, type ReadinessCheck } from './health';

declare module 'http' {
  interface IncomingMessage {
    /** The exact bytes received, kept for signature verification (HubSpot v3, intuit-signature). */
    rawBody?: Buffer;
  }
}

export interface HttpAppOptions {
  logger: Logger;
  readiness: ReadinessCheck;
  /** Feature routers, mounted in order between the health routes and the 404 handler. */
  routers?: Router[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Strips query values that carry secrets (OAuth codes, states, connect tickets) or personal data (the e-mail that
 * HubSpot appends to card requests) from what the request log records. Account and user ids stay: they are what
 * an operator searches by.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return cutForLog(url);
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) {
    if (/^(code|state|ticket|token|access_token|refresh_token|client_secret|userEmail)$/i.test(key)) params.set(key, '[Redacted]');
  }
  return cutForLog(`${url.slice(0, q)}?${params.toString()}`, url.length);
}

/** Longest URL (or client-supplied text) a log line carries; Node accepts request lines up to its 16 KB header limit. */
export const MAX_LOGGED_URL = 512;

/** The text cut at MAX_LOGGED_URL characters, with a marker saying how long the original was. */
export function cutForLog(text: string, originalLength = text.length): string {
  return text.length <= MAX_LOGGED_URL ? text : `${text.slice(0, MAX_LOGGED_URL)}...[cut: ${originalLength} characters]`;
}

/** The Express app, without listen(): tests drive it with supertest, main() serves it. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Every request is logged once when it ends; probes only at debug, so they do not drown the rest.
      customLogLevel: (req, res, err) =>
        err || res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : PROBES.has(req.url ?? '')
              ? 'debug'
              : 'info',
      // A refused request (4xx) is logged once, on this line, with the code and words it was answered with.
      customSuccessObject: (_req, res, value: Record<string, unknown>) => {
        const refusal = (res as unknown as { locals?: { refusal?: { code: string; message: string } } }).locals?.refusal;
        return refusal ? { ...value, code: refusal.code, reason: cutForLog(refusal.message) } : value;
      },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: loggableUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  const json = express.json({
    limit: '1mb',
    verify: (req, _res, buf) => {
      req.rawBody = Buffer.from(buf);
    },
  });
  // Webhook routes read their bodies raw: a malformed delivery must reach them (to be kept) instead of failing here.
  app.use((req, res, next) => (req.path.startsWith('/webhooks/') ? next() : json(req, res, next)));
  // A string Postgres cannot store (NUL, a lone surrogate) or a nesting it cannot parse is refused here, naming the
  // field, instead of failing deep inside a use-case as a 500 (lib/postgres-text.ts).
  app.use((req, _res, next) => {
    const found = req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? findUnstorable(req.body) : null;
    if (!found) return next();
    const message = describeJsonProblem(found);
    next(new BadRequestError(`The request cannot be stored: ${message}.`, { code: 'unstorable_text', details: [{ path: found.path.join('.'), message }] }));
  });

  app.use(healthRoutes(options.readiness));
  for (const router of options.routers ?? []) app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
