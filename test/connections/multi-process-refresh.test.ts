import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DATABASE_KIND, TEST_ENCRYPTION_KEY } from '../support/harness';
import { connectDirect, installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';

/**
 * Several worker processes on one Postgres, all needing the same QuickBooks token the moment it expires. The row
 * lock must hold across processes: one refresh at Intuit, everyone proceeds with the new token, and the rotated
 * refresh token is the one in the database. The embedded database is one process by nature (PGlite is a single
 * session), so there the same race is run by concurrent callers in one process (token-refresh.test.ts).
 */
const WORKERS = 8;
const ROOT = path.resolve(__dirname, '../..');

interface WorkerResult {
  ok: boolean;
  tokenSha256?: string;
  company?: string;
  error?: string;
  stderr: string;
}

function startWorker(input: object): { ready: Promise<void>; go(): void; done: Promise<WorkerResult> } {
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

if (DATABASE_KIND === 'postgres') {
  describe('token refresh across processes (postgres)', () => {
    let world: World;
    afterAll(() => world?.close());

    it('When eight worker processes need the same QBO token at its expiry, then QuickBooks sees exactly one refresh and all eight proceed with the new token', async () => {
      world = await startWorld();
      const portalId = await installDirect(world);
      const { realmId } = await connectDirect(world, portalId);
      await world.clock.advance(3600_000 + 60_000); // the access token has expired at QuickBooks and for every worker
      const refreshCalls = async () => (await world.control('quickbooks', `/oauth/counters?realmId=${realmId}`)).refreshCalls as number;
      const before = await refreshCalls();

      const input = { databaseUrl: world.service.db.url, encryptionKey: TEST_ENCRYPTION_KEY, quickbooks: world.ctx.config.quickbooks, portalId, nowMs: world.clock.nowMs() };
      const workers = Array.from({ length: WORKERS }, () => startWorker(input));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const results = await Promise.all(workers.map((w) => w.done));

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
      // Everyone used the token that is stored, and the stored refresh token is QuickBooks' current one.
      const sha = createHash('sha256').update(stored.access).digest('hex');
      expect(new Set(results.map((r) => r.tokenSha256))).toEqual(new Set([sha]));
      const grants = await world.control('quickbooks', '/oauth/grants');
      const grant = grants.grants.find((g: any) => g.realmId === realmId && !g.revoked);
      expect(`${stored.refresh.slice(0, 12)}…`).toBe(grant.refreshToken.prefix);
      // And no worker wrote a token into its logs.
      for (const r of results) {
        expect(r.stderr).not.toContain(stored.access);
        expect(r.stderr).not.toContain(stored.refresh);
      }
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
