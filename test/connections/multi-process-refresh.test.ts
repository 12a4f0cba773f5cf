import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DATABASE_KIND, TEST_ENCRYPTION_KEY } from '../support/harness';
import { connectDirect, installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';
import type { WorkerInput } from './support/token-worker';

/**
 * Several worker processes on one Postgres, all needing the same token (QuickBooks or HubSpot) the moment it
 * expires. The row lock must hold across processes: one refresh at the provider, everyone proceeds with the new
 * token, and the stored refresh token is the provider's current one. The embedded database is one process by nature
 * (PGlite is a single session), so there the same race is run by concurrent callers in one process
 * (token-store.test.ts).
 */
const WORKERS = 8;
// Eight processes each compile and start the service code (tsx) before the race: on a busy two-core machine that
// alone can take longer than the default 60 s, as the process tests allow for (test/process/crash.test.ts).
jest.setTimeout(240_000);
const ROOT = path.resolve(__dirname, '../..');

interface WorkerResult {
  ok: boolean;
  tokenSha256?: string;
  answer?: unknown;
  error?: string;
  stderr: string;
}

function startWorker(input: WorkerInput): { ready: Promise<void>; go(): void; done: Promise<WorkerResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support/token-worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', TOKEN_WORKER_INPUT: JSON.stringify(input) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) reject(new Error(`worker exited ${code} without a result; stderr: ${stderr.slice(-2000)}`));
      else resolve({ ...(JSON.parse(line) as Omit<WorkerResult, 'stderr'>), stderr });
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

/** Starts the workers, lets them all go at once, and collects what each did. */
async function race(world: World, provider: WorkerInput['provider'], portalId: number): Promise<WorkerResult[]> {
  const { config } = world.ctx;
  const input: WorkerInput = {
    provider,
    databaseUrl: world.service.db.url,
    encryptionKey: TEST_ENCRYPTION_KEY,
    quickbooks: config.quickbooks,
    hubspot: config.hubspot,
    portalId,
    nowMs: world.clock.nowMs(),
  };
  const workers = Array.from({ length: WORKERS }, () => startWorker(input));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.done));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Everyone used the stored access token, and no worker wrote a token into its logs. */
function expectAllUsedStored(results: WorkerResult[], stored: { access: string; refresh: string }): void {
  expect(new Set(results.map((r) => r.tokenSha256))).toEqual(new Set([sha256(stored.access)]));
  for (const r of results) {
    expect(r.stderr).not.toContain(stored.access);
    expect(r.stderr).not.toContain(stored.refresh);
  }
}

if (DATABASE_KIND === 'postgres') {
  describe('token refresh across processes (postgres)', () => {
    let world: World;
    let portalId: number;
    let realmId: string;

    beforeEach(async () => {
      world = await startWorld();
      portalId = await installDirect(world);
      ({ realmId } = await connectDirect(world, portalId));
    });
    afterEach(() => world.close());

    it('When eight worker processes need the same QBO token at its expiry, then QuickBooks sees exactly one refresh and all eight proceed with the new token', async () => {
      await world.clock.advance(3600_000 + 60_000); // the access token has expired at QuickBooks and for every worker
      const refreshCalls = async () => (await world.control('quickbooks', `/oauth/counters?realmId=${realmId}`)).refreshCalls as number;
      const before = await refreshCalls();

      const results = await race(world, 'quickbooks', portalId);

      expect(results.map((r) => r.error ?? 'ok')).toEqual(Array(WORKERS).fill('ok'));
      expect((await refreshCalls()) - before).toBe(1);

      const { rows } = await world.ctx.pool.query(
        'SELECT access_token_cipher, refresh_token_cipher, key_id, token_version FROM qbo_connections WHERE portal_id = $1',
        [portalId],
      );
      const stored = {
        access: world.ctx.vault.open(rows[0].access_token_cipher, rows[0].key_id, `qbo:${portalId}:${realmId}:access`),
        refresh: world.ctx.vault.open(rows[0].refresh_token_cipher, rows[0].key_id, `qbo:${portalId}:${realmId}:refresh`),
      };
      expectAllUsedStored(results, stored);
      // The stored refresh token is QuickBooks' current one (it rotates on every refresh).
      const grants = await world.control('quickbooks', '/oauth/grants');
      const grant = grants.grants.find((g: any) => g.realmId === realmId && !g.revoked);
      expect(`${stored.refresh.slice(0, 12)}…`).toBe(grant.refreshToken.prefix);
    });

    it('When eight worker processes need the same HubSpot token at its expiry, then HubSpot sees exactly one refresh and all eight proceed with the new token', async () => {
      const first = await world.ctx.hubspot.installs.accessToken(portalId);
      await world.clock.advance(30 * 60_000 + 60_000); // the access token has expired at HubSpot and for every worker
      const refreshes = async () => ((await world.control('hubspot', '/oauth/installs')).counters[String(portalId)]?.refreshes ?? 0) as number;
      const before = await refreshes();

      const results = await race(world, 'hubspot', portalId);

      expect(results.map((r) => r.error ?? 'ok')).toEqual(Array(WORKERS).fill('ok'));
      expect(results.map((r) => r.answer)).toEqual(Array(WORKERS).fill(1));
      expect((await refreshes()) - before).toBe(1);

      const { rows } = await world.ctx.pool.query('SELECT access_token_cipher, refresh_token_cipher, key_id, token_version FROM hubspot_credentials WHERE portal_id = $1', [
        portalId,
      ]);
      expect(rows[0].token_version).toBe(first.version + 1);
      const stored = {
        access: world.ctx.vault.open(rows[0].access_token_cipher, rows[0].key_id, `hubspot:${portalId}:access`),
        refresh: world.ctx.vault.open(rows[0].refresh_token_cipher, rows[0].key_id, `hubspot:${portalId}:refresh`),
      };
      expect(stored.access).not.toBe(first.token);
      expectAllUsedStored(results, stored);
      // The stored refresh token is HubSpot's current one: HubSpot still honours it.
      await expect(world.ctx.hubspot.oauth.refresh(stored.refresh, world.ctx.clock.now())).resolves.toMatchObject({ refreshToken: stored.refresh });
    });
  });
} else {
  describe('token refresh across processes (embedded)', () => {
    it('When the database is the embedded one, then it refuses a second process, so cross-process refresh cannot arise there', async () => {
      // PGlite serves one session: a second pool on its socket would interleave inside the first one's transactions.
      // The service therefore runs one pool of one connection on it (server/src/db/database.ts), asserted here.
      const world = await startWorld();
      try {
        expect(world.service.db.kind).toBe('embedded');
        expect((world.service.db.pool as unknown as { options: { max: number } }).options.max).toBe(1);
      } finally {
        await world.close();
      }
    });
  });
}
