import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESET_COMMAND, SandboxStartError, startSandbox, type Sandbox } from './sandbox/sandbox';
import { createService } from './service';

/** `npm start`: validate the environment, open the database, migrate, run jobs and serve HTTP. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const logger = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting so the supervisor restarts a clean process');
    logger.flush();
    process.exit(1);
  });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting so the supervisor restarts a clean process');
    logger.flush();
    process.exit(1);
  });
  // The port is bound first: with PORT=0 (any free port) and no PUBLIC_BASE_URL, the address DealBooks gives HubSpot
  // and Intuit (and its sandbox's simulators) is only known once bound.
  const bound = await bindHttp(config.port);
  const port = (bound.server.address() as AddressInfo).port;
  if (config.port === 0 && config.publicBaseUrl === 'http://localhost:0') config = { ...config, port, publicBaseUrl: `http://localhost:${port}` };
  // The sandbox's simulators start next: DealBooks is configured with their addresses and credentials.
  const sandbox: Sandbox | undefined = config.sandbox ? await startSandbox(config, logger, { persist: true }) : undefined;
  const service = await createService({ config: sandbox?.config ?? config, logger, routers: sandbox ? [sandbox.workbench()] : [] });

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new work, letting running jobs finish');
    service
      .stop()
      .then(() => sandbox?.close())
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exitCode = 0;
      })
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  await service.start();
  // Before anything reaches the simulators or the database: are they from the same world?
  const world = sandbox ? await sandbox.checkWorld(service.db.pool) : undefined;
  service.serve(bound.handOver());
  const local = `http://localhost:${port}`;
  logger.info(
    {
      urls: { local, public: config.publicBaseUrl, health: `${local}/healthz`, ready: `${local}/readyz` },
      database: service.db.kind === 'embedded' ? `embedded PGlite in ${config.dataDir}` : 'postgres (DATABASE_URL)',
      sandbox: config.sandbox,
    },
    `DealBooks is listening on ${local} (public ${config.publicBaseUrl}); health ${local}/healthz, readiness ${local}/readyz`,
  );
  if (sandbox) {
    if (world?.ok) logger.info({ sandbox: true }, world.line);
    await sandbox.wire(local);
    try {
      await sandbox.connect(local); // logs each step; a failure at error level, with what to do
    } catch (err) {
      logger.error(
        { err },
        `Sandbox: installing DealBooks in the demo account or connecting the demo company failed, so the deal card and auto-invoice cannot reach QuickBooks; fix the cause and start again, or run \`${RESET_COMMAND}\` to begin again from the demo data`,
      );
    }
    logger.warn('Sandbox mode: DealBooks runs against the bundled HubSpot and QuickBooks simulators (configure real credentials for production).');
    for (const line of await sandbox.guide(local)) logger.info({ sandbox: true }, line);
    // Repeated last, where it is seen: the guide's calls would mislead while the two worlds disagree.
    if (world && !world.ok) logger.error({ sandbox: true }, world.message);
  }
}

/**
 * Binds the HTTP port (0: any free one) before anything is configured with it. Until the service takes the server
 * over, every request is answered 503 "starting", so a health probe sees a starting service rather than a hang.
 */
function bindHttp(port: number): Promise<{ server: Server; handOver(): Server }> {
  const starting = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"status":"starting"}');
  };
  return new Promise((resolve, reject) => {
    const server = createServer(starting);
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve({ server, handOver: () => server.off('request', starting) });
    });
  });
}

main().catch((err) => {
  if (err instanceof SandboxStartError) {
    process.stderr.write(`DealBooks could not start its sandbox: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`DealBooks failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
