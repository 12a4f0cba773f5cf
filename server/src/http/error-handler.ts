import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { fieldIssues } from '../lib/validation';
import { AppError, BadRequestError, ConnectionBlockedError, ConnectionNeedsPersonError, NotFoundError, PayloadTooLargeError, RateLimitError, UpstreamHttpError } from '../errors';
import { fromUpstream } from './upstream-errors';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Errors raised by Express' own body parser carry a `type` and a `status`. */
function fromBodyParser(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return new BadRequestError('The request body is not valid JSON.', { code: 'invalid_json' });
  if (type === 'entity.too.large') return new PayloadTooLargeError('The request body is too large.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new BadRequestError('The request body has an unsupported encoding.', { code: 'unsupported_encoding' });
  // A body that does not decode as its Content-Encoding says (plain text sent as gzip, br or deflate): the
  // decompressor's error, which the body parser passes on as a 400 without a type.
  if (type === undefined && (err as { status?: unknown }).status === 400 && 'errno' in err)
    return new BadRequestError('The request body cannot be decoded with the Content-Encoding it names.', { code: 'invalid_content_encoding' });
  return undefined;
}

export function toHttpError(err: unknown): { status: number; body: ErrorBody; expected: boolean; retryAfterSeconds?: number } {
  const known =
    err instanceof AppError
      ? err
      : err instanceof z.ZodError
        ? new BadRequestError('The request is invalid.', { code: 'validation_failed', details: fieldIssues(err) })
        : err instanceof ConnectionBlockedError
          ? new ConnectionNeedsPersonError(err)
          : (fromUpstream(err) ?? fromBodyParser(err));
  if (known) {
    const error: ErrorBody['error'] = { code: known.code, message: known.message };
    if (known.details !== undefined) error.details = known.details;
    const retryAfterSeconds = known instanceof UpstreamHttpError || known instanceof RateLimitError ? known.retryAfterSeconds : undefined;
    return { status: known.status, body: { error }, expected: true, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.' } },
    expected: false,
  };
}

/** The one place where errors become HTTP responses. Never sends a stack trace or an unexpected error's text. */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const { status, body, expected, retryAfterSeconds } = toHttpError(err);
  // A refusal is a client's mistake: one line, the request's own (app.ts), carries its code; no stack.
  if (expected && status < 500) res.locals.refusal = body.error;
  else if (expected && (status === 502 || status === 503)) req.log?.warn({ code: body.error.code, status, err }, body.error.message);
  else req.log?.error({ err }, 'request failed');
  if (retryAfterSeconds !== undefined) res.set('retry-after', String(retryAfterSeconds));
  res.status(status).json(body);
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}.`));
};
