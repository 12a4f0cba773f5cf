/**
 * DealBooks wired to the sandbox's simulators the way `npm start` runs it, on the bench's database, with the
 * sandbox's own install and connect done through DealBooks' routes: what the connection and quote-to-cash benches
 * measure against. Jobs run only if the bench starts the workers.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/src/config';
import { createLogger } from '../server/src/logger';
import { startSandbox, type Sandbox } from '../server/src/sandbox/sandbox';
import { createService, type Service, type ServiceOptions } from '../server/src/service';
import { SimClock } from '../test/simulators/common/clock';
import { bindLoopback } from '../test/support/loopback';
import { Teardown } from '../test/support/teardown';

export interface BenchSandbox {
  clock: SimClock;
  sandbox: Sandbox;
  service: Service;
  /** DealBooks' PUBLIC_BASE_URL (it listens there). */
  url: string;
  portalId: number;
  /** The HubSpot app's client secret: what signs card requests and webhooks. */
  secret: string;
  close(): Promise<void>;
}

export async function startBenchSandbox(options: { databaseUrl: string | undefined; name: string; jobQueueOptions?: ServiceOptions['jobQueueOptions'] }): Promise<BenchSandbox> {
  const logger = createLogger({ level: 'silent' });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `dealbooks-bench-${options.name}-`));
  const clock = new SimClock();
  const teardown = new Teardown();
  teardown.add(() => fs.rm(dir, { recursive: true, force: true }));
  teardown.add(() => clock.clear());
  try {
    // Bound before the sandbox takes its ports: the address is part of the config (PUBLIC_BASE_URL).
    const bound = await bindLoopback();
    teardown.add(() => bound.close());
    const { port, url } = bound;
    const schema = `bench_${options.name}_${process.pid}`;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      SANDBOX: '1',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      SANDBOX_QUICKBOOKS_PORT: '0',
      SANDBOX_HUBSPOT_PORT: '0',
      DATA_DIR: dir,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    });
    const sandbox = await startSandbox(config, logger, { clock });
    teardown.add(() => sandbox.close());
    const service = await createService({
      config: sandbox.config,
      logger,
      workers: false,
      clock: { now: () => new Date(clock.nowMs()) },
      jobQueueOptions: { ...options.jobQueueOptions, schema },
    });
    teardown.add(() => service.stop());
    teardown.add(() => service.db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined));
    await service.start();
    service.serve(bound.server);
    await sandbox.wire(url);
    const lines = await sandbox.connect(url);
    if (lines.some((l) => /failed/.test(l))) throw new Error(`sandbox connect failed: ${lines.join('; ')}`);
    const close = () => teardown.run();
    return { clock, sandbox, service, url, portalId: sandbox.hubspot.portalId, secret: sandbox.config.hubspot.clientSecret ?? '', close };
  } catch (err) {
    return teardown.afterFailure(err);
  }
}
