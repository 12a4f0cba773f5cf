/**
 * One error class per HTTP meaning. Routes and use-cases throw these; the central error handler turns them into
 * `{"error":{"code","message"}}` with the status below. Anything else becomes a 500 with a generic message: the
 * stack trace and the original message go to the log, never to the client.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra, client-safe facts (e.g. which fields were invalid). */
  readonly details: unknown;

  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, options?: { code?: string; cause?: unknown; details?: unknown }) {
    super(message, options);
    this.code = options?.code ?? 'bad_request';
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class RateLimitError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'unavailable';
}
