import { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { openDatabase } from '../../server/src/db/database';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, RateLimitError, UnauthorizedError } from '../../server/src/errors';
import { createHttpApp } from '../../server/src/http/app';
import { createService } from '../../server/src/service';
import { captureLogger, createTestDatabase, DATABASE_KIND, silentLogger, startTestService, testConfig, type TestService } from '../support/harness';
import { ConnectionBlockedError } from '../../server/src/errors';
import { SHIPPED_MIGRATIONS } from '../support/migrations';

describe(`health and readiness (${DATABASE_KIND})`, () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ workers: true });
  });
  afterAll(() => service?.close());

  it('When the service is up, then /healthz answers ok', async () => {
    const res = await request(service.http).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('When database, migrations and queue are all up, then /readyz answers ready', async () => {
    const res = await request(service.http).get('/readyz').expect(200);
    expect(res.body).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, queue: { ok: true }, webhookSignatures: { ok: true, details: { refused: {} } } },
    });
  });
});

describe('readiness when something is missing', () => {
  it('When migrations have not run and the queue is not started, then /readyz answers 503 and says which', async () => {
    const database = await createTestDatabase();
    const service = await createService({ config: testConfig(), logger: silentLogger, database, workers: true });
    try {
      const res = await request(service.http).get('/readyz').expect(503);
      expect(res.body.status).toBe('not_ready');
      expect(res.body.checks.database).toEqual({ ok: true });
      expect(res.body.checks.migrations).toEqual({ ok: false, message: `${SHIPPED_MIGRATIONS.length} migration(s) not applied` });
      expect(res.body.checks.queue).toEqual({ ok: false, message: 'job queue not running' });
    } finally {
      await service.stop();
      await database.close();
    }
  });

  it('When the database is unreachable, then /healthz still answers and /readyz answers 503', async () => {
    // A port on loopback where nothing listens.
    const database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', logger: silentLogger });
    const service = await createService({ config: testConfig(), logger: silentLogger, database, workers: false });
    try {
      await request(service.http).get('/healthz').expect(200);
      const res = await request(service.http).get('/readyz').expect(503);
      expect(res.body.checks.database).toEqual({ ok: false, message: 'database unreachable' });
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await database.close();
    }
  });
});

describe('errors become {"error":{"code","message"}}', () => {
  const captured = captureLogger();
  const router = Router();
  const failures: Record<string, () => unknown> = {
    'bad-request': () => {
      throw new BadRequestError('Pick a pipeline first.', { code: 'pipeline_required' });
    },
    unauthorized: () => {
      throw new UnauthorizedError('The request signature is invalid.');
    },
    forbidden: () => {
      throw new ForbiddenError('Only admins may change settings.');
    },
    'not-found': () => {
      throw new NotFoundError('No such deal.');
    },
    conflict: () => {
      throw new ConflictError('Settings changed meanwhile.');
    },
    'rate-limited': () => {
      throw new RateLimitError('Slow down.');
    },
    zod: () => z.object({ amount: z.number() }).parse({ amount: 'ten' }),
    'needs-reconnect': () => {
      throw new ConnectionBlockedError('quickbooks', 'needs_reconnect', 62515001);
    },
    crash: () => {
      throw new Error('secret internals at /srv/db password=hunter2');
    },
  };
  for (const [path, fail] of Object.entries(failures)) {
    router.get(`/fail/${path}`, async () => {
      await Promise.resolve();
      fail();
    });
  }
  router.post('/echo', (req, res) => {
    res.json({ got: req.body, raw: req.rawBody?.toString('utf8') });
  });
  const app = createHttpApp({ logger: captured.logger, readiness: async () => ({ ready: true, checks: {} }), routers: [router] });

  it.each([
    ['bad-request', 400, 'pipeline_required', 'Pick a pipeline first.'],
    ['unauthorized', 401, 'unauthorized', 'The request signature is invalid.'],
    ['forbidden', 403, 'forbidden', 'Only admins may change settings.'],
    ['not-found', 404, 'not_found', 'No such deal.'],
    ['conflict', 409, 'conflict', 'Settings changed meanwhile.'],
    ['rate-limited', 429, 'rate_limited', 'Slow down.'],
  ])('When a route throws %s, then the status is %i with code %s', async (path, status, code, message) => {
    const res = await request(app).get(`/fail/${path}`).expect(status);
    expect(res.body).toEqual({ error: { code, message } });
  });

  it('When work needs a person to reconnect QuickBooks, then it is a 409 with the words to fix it and a code the card can act on', async () => {
    const res = await request(app).get('/fail/needs-reconnect').expect(409);
    expect(res.body.error).toEqual({
      code: 'quickbooks_needs_reconnect',
      message: expect.stringContaining('Reconnect QuickBooks'),
      details: { provider: 'quickbooks', state: 'needs_reconnect' },
    });
  });

  it('When input fails a zod schema, then it is a 400 that says which field', async () => {
    const res = await request(app).get('/fail/zod').expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([{ path: 'amount', message: expect.stringMatching(/number/) }]);
  });

  it('When something unexpected throws, then the client gets a generic 500 and the log gets the stack', async () => {
    const res = await request(app).get('/fail/crash').expect(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.' } });
    expect(res.text).not.toMatch(/hunter2|secret internals|at .*\.ts/);
    const logged = captured.entries().find((e) => e.msg === 'request failed');
    expect(JSON.stringify(logged)).toContain('secret internals');
  });

  it('When the body is not JSON, then it is a 400 invalid_json', async () => {
    const res = await request(app).post('/echo').set('content-type', 'application/json').send('{"a":').expect(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: 'The request body is not valid JSON.' } });
  });

  it('When the body is over 1 MB, then it is a 413', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(1024 * 1024 + 10) });
    const res = await request(app).post('/echo').set('content-type', 'application/json').send(big).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('When a JSON body arrives, then the exact raw bytes are kept for signature checks', async () => {
    const body = '{"b": 1,  "a":"é"}';
    const res = await request(app).post('/echo').set('content-type', 'application/json').send(body).expect(200);
    expect(res.body).toEqual({ got: { b: 1, a: 'é' }, raw: body });
  });

  it('When no route matches, then it is a JSON 404', async () => {
    const res = await request(app).delete('/nowhere').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No route for DELETE /nowhere.' } });
  });

  it('When a request carries X-Request-Id, then it is echoed and logged; otherwise one is made up', async () => {
    const given = await request(app).get('/healthz').set('x-request-id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(app).get('/healthz').set('x-request-id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const ids = captured.entries().map((e) => (e.req as { id?: string } | undefined)?.id);
    expect(ids).toContain('abc-123');
  });
});

describe(`bodies and URLs from anyone (${DATABASE_KIND})`, () => {
  const captured = captureLogger();
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ logger: captured.logger });
  });
  afterAll(() => service?.close());

  const linesOf = (requestId: string) => captured.entries().filter((e) => JSON.stringify(e).includes(requestId));

  it.each(['gzip', 'br', 'deflate'])(
    'When a plain body claims Content-Encoding %s, then every route answers 400 invalid_content_encoding and logs one warn line without a stack',
    async (encoding) => {
      for (const [method, path] of [
        ['put', '/api/settings'],
        ['post', '/webhooks/hubspot'],
        ['post', '/webhooks/quickbooks'],
        ['post', '/nowhere'],
      ] as const) {
        const requestId = `enc-${encoding}-${path.replace(/\W/g, '')}`;
        const res = await request(service.http)
          [method](path)
          .set('content-type', 'application/json')
          .set('content-encoding', encoding)
          .set('x-request-id', requestId)
          .send('{"settings": {}, "version": 0}');
        expect([path, res.status, res.body]).toEqual([
          path,
          400,
          { error: { code: 'invalid_content_encoding', message: 'The request body cannot be decoded with the Content-Encoding it names.' } },
        ]);
        const lines = linesOf(requestId);
        expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request completed', code: 'invalid_content_encoding' })]);
        expect(JSON.stringify(lines)).not.toMatch(/stack|"err"/);
      }
    },
  );

  it('When a request carries a URL of 12,000 characters, then its log line carries the first 512 and says how long it was', async () => {
    const path = `/${'p'.repeat(6000)}`;
    const query = `?portalId=1&x=${'q'.repeat(6000)}`;
    const url = `${path}${query}`;
    await request(service.http).get(url).set('x-request-id', 'long-url').expect(404);
    const [line, ...more] = linesOf('long-url');
    expect(more).toEqual([]);
    const logged = (line!.req as { url: string }).url;
    expect(logged).toBe(`${url.slice(0, 512)}...[cut: ${url.length} characters]`);
    // The 404's words name the path: cut as well.
    const words = `No route for GET ${path}.`;
    expect(line!.reason).toBe(`${words.slice(0, 512)}...[cut: ${words.length} characters]`);
    expect(JSON.stringify(line).length).toBeLessThan(2000);
  });
});
