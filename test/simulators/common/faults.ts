import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

/**
 * Injected faults: "the next N calls to this path fail like so". Kinds:
 * - status: answer with an HTTP status and the real service's body for it (the shell supplies the default body);
 * - hang: accept the request and never answer (until `hangMs` passes in real time, or the simulator is reset or
 *   closed), so a client's timeout is what ends it;
 * - reset: destroy the connection without a response (ECONNRESET on the client).
 * With `after: true`, a hang or reset strikes once the service has done its work: the write happens, the answer is
 * lost. That is the case idempotency keys (QBO's requestid) exist for, and the one a client cannot tell from a
 * failed write.
 */
export const faultRuleSchema = z.object({
  method: z.string().toUpperCase().optional(),
  /** Matched against the request path: a substring, or a RegExp source when wrapped in slashes ("/^\/v3\//"). */
  path: z.string().min(1),
  times: z.number().int().positive().default(1),
  kind: z.enum(['status', 'hang', 'reset']).default('status'),
  status: z.number().int().min(400).max(599).optional(),
  /** A body to send instead of the service's usual body for that status (string = sent as is). */
  body: z.unknown().optional(),
  contentType: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** For hang: answer 504-free silence for this long (real ms) and then drop the connection. Default: forever. */
  hangMs: z.number().int().positive().optional(),
  /** For hang and reset: let the request be handled first, then lose its answer. */
  after: z.boolean().default(false),
  /**
   * Only requests whose body contains this text (a JSON body as compact JSON text), e.g. one deal's writes by the
   * marker in their private note. Checked once the body is read: see `middleware`.
   */
  bodyContains: z.string().min(1).optional(),
}).strict();
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema> & { id: number; remaining: number };

export interface FaultResponse {
  status: number;
  body: string | Buffer | object;
  contentType?: string;
  headers?: Record<string, string>;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private readonly held = new Set<Response>();

  /** `defaultResponse` gives the real service's body for a status (a QBO Fault, a HubSpot error...). */
  constructor(private readonly defaultResponse: (status: number, req: Request) => FaultResponse) {}

  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleSchema.parse(input);
    if (parsed.kind === 'status' && parsed.status === undefined) throw new Error('a status fault needs a status');
    const rule: FaultRule = { ...parsed, id: this.nextId++, remaining: parsed.times };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Forgets the rules and lets go of every request a hang is holding. */
  clear(): void {
    this.rules = [];
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  /**
   * Takes the first matching rule for this request, if any (consuming one of its `times`). `bodyRulesOnly`: only
   * rules with `bodyContains` (a second check point, placed where the body has been read). A rule with `bodyContains`
   * matches only a request whose body has been read.
   */
  take(req: Request, options: { bodyRulesOnly?: boolean } = {}): FaultRule | undefined {
    const path = pathOf(req);
    const rule = this.rules.find(
      (r) => (!r.method || r.method === req.method) && matches(r.path, path) && (r.bodyContains === undefined ? !options.bodyRulesOnly : bodyContains(req, r.bodyContains)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }

  /**
   * Express middleware: mount it where the real API begins (after authentication, if the fault should follow it).
   * Where the body is read only further in, mount a second one with `bodyRulesOnly` after the body parsers, so that
   * rules with `bodyContains` are checked there (each request meets at most one rule either way).
   */
  middleware(options: { bodyRulesOnly?: boolean } = {}) {
    return (req: Request, res: Response, next: NextFunction) => {
      const rule = this.take(req, options);
      if (!rule) return next();
      res.locals.injectedFault = rule.kind;
      if (rule.after && rule.kind !== 'status') {
        this.loseAnswer(res, rule);
        return next();
      }
      if (rule.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (rule.kind === 'hang') {
        this.hold(res, rule);
        return;
      }
      const base = this.defaultResponse(rule.status!, req);
      const body = rule.body ?? base.body;
      const contentType = rule.contentType ?? (rule.body === undefined ? base.contentType : undefined);
      res.status(rule.status!);
      for (const [k, v] of Object.entries({ ...base.headers, ...rule.headers })) res.setHeader(k, v);
      if (contentType) res.type(contentType);
      if (typeof body === 'string' || Buffer.isBuffer(body)) res.send(body);
      else res.json(body);
    };
  }

  /** Keeps a response open without answering, until `hangMs` (real time), clear() or close. */
  private hold(res: Response, rule: FaultRule): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
    if (rule.hangMs) setTimeout(() => res.socket?.destroy(), rule.hangMs).unref();
  }

  /**
   * The service handles the request, but its answer never leaves: nothing is written to the socket, which is then
   * cut (reset) or left open (hang). Headers go out only with the first write, so muting writes mutes everything.
   */
  private loseAnswer(res: Response, rule: FaultRule): void {
    const mute = ((..._args: unknown[]) => {
      if (rule.kind === 'reset') res.socket?.destroy();
      else this.hold(res, rule);
      return res;
    }) as never;
    res.writeHead = (() => res) as never;
    res.write = (() => true) as never;
    res.end = mute;
  }
}

/** The request's whole path, also inside a router mounted under a prefix (where `req.path` is relative). */
function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function bodyContains(req: Request, text: string): boolean {
  const body: unknown = req.body;
  if (body === undefined || body === null) return false;
  const asText = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
  return asText.includes(text);
}

function matches(pattern: string, path: string): boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) return new RegExp(pattern.slice(1, -1)).test(path);
  return path.includes(pattern);
}
