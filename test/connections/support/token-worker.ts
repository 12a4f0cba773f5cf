/**
 * One DealBooks worker process for the multi-process refresh test: the real composition (buildContext) on the shared
 * Postgres, its clock set to the test's simulated time. It prints "ready", waits for a line on stdin ("go"), then
 * does what a job does: takes the account's QuickBooks or HubSpot token and calls that API with it. It prints a hash
 * of the token it used (never the token) and logs to stderr like a real worker, so the test can check those logs too.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { offsetClock } from '../../../server/src/clock';
import { loadConfig, type Config } from '../../../server/src/config';
import type { AppContext } from '../../../server/src/context';
import { openDatabase } from '../../../server/src/db/database';
import { JobQueue } from '../../../server/src/jobs/queue';
import { createLogger } from '../../../server/src/logger';
import { TokenVault } from '../../../server/src/security/token-vault';
import { buildContext } from '../../../server/src/service';

export interface WorkerInput {
  provider: 'quickbooks' | 'hubspot';
  databaseUrl: string;
  encryptionKey: string;
  quickbooks: Config['quickbooks'];
  hubspot: Config['hubspot'];
  portalId: number;
  nowMs: number;
}

/** The token the worker got, and what the API answered with it (a company name, or how many deals a page held). */
async function useToken(ctx: AppContext, input: WorkerInput): Promise<{ token: string; answer: unknown }> {
  if (input.provider === 'hubspot') {
    const { token } = await ctx.hubspot.installs.accessToken(input.portalId);
    const page = await ctx.hubspot.installs.call(input.portalId, (client) => client.crm.deals.basicApi.getPage(1));
    return { token, answer: page.results.length };
  }
  const token = await ctx.quickbooks.connections.accessToken(input.portalId);
  const info = await ctx.quickbooks.api.get(input.portalId, `/companyinfo/${token.realmId}`);
  return { token: token.token, answer: info.json.CompanyInfo?.CompanyName };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.TOKEN_WORKER_INPUT ?? '') as WorkerInput;
  const logger = createLogger({ level: 'debug', destination: process.stderr });
  const config: Config = {
    ...loadConfig({ SANDBOX: '1', LOG_LEVEL: 'debug', TOKEN_ENCRYPTION_KEY: input.encryptionKey }),
    quickbooks: input.quickbooks,
    hubspot: input.hubspot,
  };
  const db = await openDatabase({ databaseUrl: input.databaseUrl, logger, poolSize: 2 });
  const clock = offsetClock(input.nowMs - Date.now());
  const ctx = buildContext({ config, logger, pool: db.pool, jobs: new JobQueue({ pool: db.pool, logger }), clock, vault: new TokenVault([Buffer.from(input.encryptionKey, 'base64')]) });
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  try {
    const { token, answer } = await useToken(ctx, input);
    process.stdout.write(`${JSON.stringify({ ok: true, tokenSha256: createHash('sha256').update(token).digest('hex'), answer })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) })}\n`);
  } finally {
    logger.flush();
    await db.close();
  }
}

void main();
