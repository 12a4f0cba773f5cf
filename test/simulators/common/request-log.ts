import type { NextFunction, Request, Response } from 'express';

/** What a simulator saw: tests assert on the calls DealBooks made (and did not make). */
export interface LoggedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** Header names lower-cased; credentials shortened to their scheme so a log dump never leaks them. */
  headers: Record<string, string>;
  body: unknown;
  status?: number;
  /** The account the shell resolved for this call (realmId / portalId), when it did. */
  account?: string;
}

/** Body fields that carry credentials (OAuth form bodies, revoke calls): kept out of the log like headers. */
const SECRET_FIELDS = new Set(['client_secret', 'code', 'refresh_token', 'access_token', 'token', 'id_token', 'code_verifier']);

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-hubspot-signature', 'x-hubspot-signature-v3', 'intuit-signature']);

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly now: () => Date, private readonly limit = 5000) {}

  /** Express middleware: records each request once its response is finished. Mount it after the body parsers. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const entry: LoggedRequest = {
        seq: ++this.seq,
        at: this.now().toISOString(),
        method: req.method,
        path: req.path,
        query: { ...(req.query as Record<string, unknown>) },
        headers: redactHeaders(req.headers),
        body: undefined,
      };
      if (req.path.startsWith('/_sim')) return next();
      this.entries.push(entry);
      if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
      res.on('finish', () => {
        entry.status = res.statusCode;
        entry.body = redactBody(req.body instanceof Buffer ? req.body.toString('utf8') : req.body);
        const account = res.locals.account;
        if (account !== undefined) entry.account = String(account);
      });
      next();
    };
  }

  list(filter: { method?: string; path?: string; account?: string } = {}): LoggedRequest[] {
    return this.entries.filter(
      (e) =>
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.path || e.path.includes(filter.path)) &&
        (!filter.account || e.account === filter.account),
    );
  }

  clear(): void {
    this.entries = [];
  }
}

function redactHeaders(headers: Request['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'authorization') out[name] = `${text.split(' ')[0]} [redacted]`;
    else if (SECRET_HEADERS.has(name)) out[name] = '[redacted]';
    else out[name] = text;
  }
  return out;
}

function redactBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) out[key] = SECRET_FIELDS.has(key) ? '[redacted]' : value;
  return out;
}
