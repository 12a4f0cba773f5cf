import express, { type Express } from 'express';
import request from 'supertest';
import type { Clock } from '../../server/src/clock';
import { migrate } from '../../server/src/db/migrate';
import { createHttpApp } from '../../server/src/http/app';
import { requireHubSpotSignature, signedAccount } from '../../server/src/http/hubspot-auth';
import { signHubSpotV3 } from '../../server/src/security/hubspot-signature';
import { SimClock } from '../simulators/common/clock';
import * as Hs from '../simulators/hubspot';
import { captureLogger, createTestDatabase, DATABASE_KIND, type TestDatabase } from '../support/harness';
import { bindLoopback, type BoundServer } from '../support/loopback';

/**
 * `/api/*` authentication as the deal card's hubspot.fetch calls meet it: v3 signature over PUBLIC_BASE_URL and the
 * path and query, a 5-minute window either way, no replays, and the account taken from the signed query only.
 * A tiny settings route stands in for the real ones, so "changes nothing" can be checked in the database.
 */
const SECRET = Hs.DEMO_CLIENT_SECRET;
const PORTAL_A = 62_515_001;
const PORTAL_B = 62_515_002;
const PORTAL_UNINSTALLED = 62_515_003;
const PORTAL_UNKNOWN = 62_515_999;

let db: TestDatabase;
let bound: BoundServer;
let publicBaseUrl: string;
let simClock: SimClock;
let app: Express;
const logs = captureLogger();

function buildApp(clock: Clock, clientSecret: string | undefined): Express {
  const api = express.Router();
  api.use('/api', requireHubSpotSignature({ clientSecret, publicBaseUrl, clock, pool: db.pool }));
  api.get('/api/whoami', (_req, res) => {
    res.json(signedAccount(res));
  });
  api.post('/api/settings', async (req, res) => {
    const { portalId, userId } = signedAccount(res);
    await db.pool.query(
      `INSERT INTO portal_settings (portal_id, settings, updated_by_user_id) VALUES ($1, $2, $3)
       ON CONFLICT (portal_id) DO UPDATE SET settings = EXCLUDED.settings, version = portal_settings.version + 1`,
      [portalId, JSON.stringify(req.body ?? {}), userId ?? null],
    );
    res.json({ saved: portalId });
  });
  return createHttpApp({ logger: logs.logger, readiness: async () => ({ ready: true, checks: {} }), routers: [api] });
}

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, logs.logger);
  await db.pool.query(`INSERT INTO portals (portal_id) VALUES ($1), ($2)`, [PORTAL_A, PORTAL_B]);
  await db.pool.query(`INSERT INTO portals (portal_id, status, uninstalled_at) VALUES ($1, 'uninstalled', now())`, [PORTAL_UNINSTALLED]);
  // Listening first: the public base URL (what HubSpot calls and signs) is this server's address.
  bound = await bindLoopback();
  publicBaseUrl = bound.url;
  simClock = new SimClock({ freeze: true });
  app = buildApp({ now: () => simClock.now() }, SECRET);
  bound.server.on('request', app);
});

afterAll(async () => {
  await bound?.close();
  await db?.close();
});

beforeEach(async () => {
  await db.pool.query('DELETE FROM seen_request_signatures');
  await db.pool.query('DELETE FROM portal_settings');
});

interface Signed {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  timestamp?: number;
  secret?: string;
  /** The URL that was signed, when it differs from what is sent. */
  signedUrl?: string;
}

function signed({ method, path, body = '', timestamp = simClock.nowMs(), secret = SECRET, signedUrl }: Signed) {
  const signature = signHubSpotV3({ clientSecret: secret, method, url: signedUrl ?? `${publicBaseUrl}${path}`, rawBody: body, timestamp });
  return { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': String(timestamp) };
}

const query = (portalId: number, extra = '') => `?userId=7&userEmail=ada%40example.com&portalId=${portalId}&appId=${Hs.DEMO_APP_ID}${extra}`;

async function send(req: Signed & { headers?: Record<string, string>; sentPath?: string }) {
  const headers = { ...signed(req), ...req.headers };
  const path = req.sentPath ?? req.path;
  if (req.method === 'GET') return request(app).get(path).set(headers);
  return request(app).post(path).set({ 'content-type': 'application/json', ...headers }).send(req.body ?? '');
}

async function settingsRows(): Promise<Array<{ portal_id: string; settings: unknown }>> {
  return (await db.pool.query<{ portal_id: string; settings: unknown }>('SELECT portal_id, settings FROM portal_settings ORDER BY portal_id')).rows;
}

async function seenCount(): Promise<number> {
  return Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM seen_request_signatures')).rows[0]!.n);
}

describe(`/api request authentication (${DATABASE_KIND})`, () => {
  it('When a request is signed for an installed account, then the route sees that account and user, from the signed query', async () => {
    const res = await send({ method: 'GET', path: `/api/whoami${query(PORTAL_A)}` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ portalId: PORTAL_A, userId: 7, userEmail: 'ada@example.com' });
  });

  it('When the HubSpot simulator sends a card request, then it passes and the account is the one HubSpot appended', async () => {
    const sim = await Hs.startHubSpotSimulator({ clock: simClock, seed: 'empty' });
    try {
      const res = await sim.cardRequest({ portalId: PORTAL_A, url: `${publicBaseUrl}/api/whoami` });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ portalId: PORTAL_A, userId: Hs.DEMO_USER.userId, userEmail: Hs.DEMO_USER.userEmail });
      const saved = await sim.cardRequest({ portalId: PORTAL_B, url: `${publicBaseUrl}/api/settings`, method: 'POST', body: { invoiceOn: 'closedwon' } });
      expect(saved.status).toBe(200);
      expect(await settingsRows()).toEqual([{ portal_id: String(PORTAL_B), settings: { invoiceOn: 'closedwon' } }]);
    } finally {
      await sim.close();
    }
  });

  it('When a request is signed with another secret, then it is refused 401 and changes nothing', async () => {
    const res = await send({ method: 'POST', path: `/api/settings${query(PORTAL_A)}`, body: '{"x":1}', secret: 'not-the-client-secret' });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'unauthorized', message: 'invalid HubSpot signature', details: { reason: 'mismatch' } });
    expect(await settingsRows()).toEqual([]);
    // A forged request leaves no trace in the replay table: it cannot be filled by someone without the secret.
    expect(await seenCount()).toBe(0);
  });

  it('When there is no signature, or only a legacy v1 one, then it is refused 401 and says why', async () => {
    const none = await request(app).get(`/api/whoami${query(PORTAL_A)}`);
    expect(none.status).toBe(401);
    expect(none.body.error.message).toBe('missing HubSpot signature (X-HubSpot-Signature-v3)');

    const body = '{"x":1}';
    const v1Only = await request(app)
      .post(`/api/settings${query(PORTAL_A)}`)
      .set({ 'content-type': 'application/json', 'X-HubSpot-Signature': Hs.signV1(SECRET, body), 'X-HubSpot-Signature-Version': 'v1' })
      .send(body);
    expect(v1Only.status).toBe(401);
    expect(v1Only.body.error.message).toBe('v1/v2 signatures cannot be checked for freshness; DealBooks requires v3');
    expect(await settingsRows()).toEqual([]);
  });

  it('When the clock has moved 6 minutes past the signature, then it is stale and refused', async () => {
    const timestamp = simClock.nowMs();
    await simClock.advance(6 * 60_000);
    const res = await send({ method: 'POST', path: `/api/settings${query(PORTAL_A)}`, body: '{"x":1}', timestamp });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('request timestamp is outside the 5-minute window (stale or future-dated)');
    expect(await settingsRows()).toEqual([]);
  });

  it('When the timestamp is 6 minutes in the future, then it is refused too', async () => {
    const res = await send({ method: 'GET', path: `/api/whoami${query(PORTAL_A)}`, timestamp: simClock.nowMs() + 6 * 60_000 });
    expect(res.status).toBe(401);
    expect(res.body.error.details).toEqual({ reason: 'expired' });
  });

  it('When the same signed request arrives twice, then the second is refused as a replay and changes nothing', async () => {
    const path = `/api/settings${query(PORTAL_A)}`;
    const timestamp = simClock.nowMs();
    const first = await send({ method: 'POST', path, body: '{"v":1}', timestamp });
    expect(first.status).toBe(200);
    await db.pool.query(`UPDATE portal_settings SET settings = '{"v":2}'`);

    await simClock.advance(60_000);
    const replay = await send({ method: 'POST', path, body: '{"v":1}', timestamp });
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toBe('replayed request');
    expect(await settingsRows()).toEqual([{ portal_id: String(PORTAL_A), settings: { v: 2 } }]);

    // The same call made again by HubSpot is a new request with its own timestamp.
    const again = await send({ method: 'POST', path, body: '{"v":1}', timestamp: simClock.nowMs() });
    expect(again.status).toBe(200);
  });

  it('When the replayed signature is spelled differently (base64 with junk after it), then it is still refused', async () => {
    const path = `/api/whoami${query(PORTAL_A)}`;
    const headers = signed({ method: 'GET', path });
    expect((await request(app).get(path).set(headers)).status).toBe(200);
    const respelled = { ...headers, 'X-HubSpot-Signature-v3': `${headers['X-HubSpot-Signature-v3']}AAAA` };
    expect((await request(app).get(path).set(respelled)).status).toBe(401);
  });

  it('When a signed request names no portalId, then it is a 400 that says so', async () => {
    const res = await send({ method: 'GET', path: '/api/whoami?userId=7' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('missing_portal');
    expect(res.body.error.message).toMatch(/portalId is missing/);
  });

  it('When a signed request names portalId twice or not as a number, then it is a 400', async () => {
    const twice = await send({ method: 'GET', path: `/api/whoami${query(PORTAL_A, `&portalId=${PORTAL_B}`)}` });
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('ambiguous_account');
    const word = await send({ method: 'GET', path: '/api/whoami?portalId=abc' });
    expect(word.status).toBe(400);
    expect(word.body.error.code).toBe('invalid_account');
  });

  it('When the account has uninstalled DealBooks or never installed it, then it is a 403 that says how to install', async () => {
    const uninstalled = await send({ method: 'POST', path: `/api/settings${query(PORTAL_UNINSTALLED)}`, body: '{"x":1}' });
    expect(uninstalled.status).toBe(403);
    expect(uninstalled.body.error.message).toBe(
      `DealBooks is not installed in HubSpot account ${PORTAL_UNINSTALLED}; install it from the HubSpot marketplace`,
    );
    const unknown = await send({ method: 'GET', path: `/api/whoami${query(PORTAL_UNKNOWN)}` });
    expect(unknown.status).toBe(403);
    expect(await settingsRows()).toEqual([]);
  });

  it('When the body or a header claims another account, then the signed query still decides', async () => {
    const res = await send({
      method: 'POST',
      path: `/api/settings${query(PORTAL_A)}`,
      body: JSON.stringify({ portalId: PORTAL_B, x: 1 }),
      headers: { 'X-HubSpot-Portal-Id': String(PORTAL_B), 'X-Portal-Id': String(PORTAL_B) },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ saved: PORTAL_A });
    expect((await settingsRows()).map((r) => r.portal_id)).toEqual([String(PORTAL_A)]);
  });

  it("When the query is changed after signing to name another account, then the signature fails and B's data is untouched", async () => {
    const signedPath = `/api/settings${query(PORTAL_A)}`;
    const res = await send({ method: 'POST', path: signedPath, sentPath: `/api/settings${query(PORTAL_B)}`, body: '{"x":1}' });
    expect(res.status).toBe(401);
    const appended = await send({ method: 'POST', path: signedPath, sentPath: `${signedPath}&portalId=${PORTAL_B}`, body: '{"x":1}' });
    expect(appended.status).toBe(401);
    expect(await settingsRows()).toEqual([]);
  });

  it('When a request was signed for the address in its Host header rather than the public base URL, then it fails', async () => {
    const path = `/api/whoami${query(PORTAL_A)}`;
    const test = request(app).get(path);
    const hostUrl = `http://localhost:1234${path}`;
    const res = await test.set({ Host: 'localhost:1234', ...signed({ method: 'GET', path, signedUrl: hostUrl }) });
    expect(res.status).toBe(401);
    // The same Host with a signature over the public base URL passes: the Host header plays no part.
    const ok = await request(app).get(path).set({ Host: 'localhost:1234', ...signed({ method: 'GET', path }) });
    expect(ok.status).toBe(200);
  });

  it('When no HubSpot client secret is configured, then requests are refused 503 (the deployment is at fault, not the caller)', async () => {
    const unconfigured = buildApp({ now: () => simClock.now() }, undefined);
    const path = `/api/whoami${query(PORTAL_A)}`;
    const res = await request(unconfigured).get(path).set(signed({ method: 'GET', path }));
    expect(res.status).toBe(503);
  });

  it('When requests are refused, then no log line carries a signature or the secret', async () => {
    const path = `/api/whoami${query(PORTAL_A)}`;
    const headers = signed({ method: 'GET', path, secret: 'wrong' });
    await request(app).get(path).set(headers);
    const text = logs.text();
    expect(text).not.toContain(headers['X-HubSpot-Signature-v3']);
    expect(text).not.toContain(SECRET);
  });
});
