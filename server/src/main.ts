import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { SandboxStartError, startSandbox, type Sandbox } from './sandbox/sandbox';
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
  // The sandbox's simulators start first: DealBooks is configured with their addresses and credentials.
  const sandbox: Sandbox | undefined = config.sandbox ? await startSandbox(config, logger) : undefined;
  const service = await createService({ config: sandbox?.config ?? config, logger });

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
  const address = await service.listen(config.port);
  const local = `http://localhost:${address.port}`;
  logger.info(
    {
      urls: { local, public: config.publicBaseUrl, health: `${local}/healthz`, ready: `${local}/readyz` },
      database: service.db.kind === 'embedded' ? `embedded PGlite in ${config.dataDir}` : 'postgres (DATABASE_URL)',
      sandbox: config.sandbox,
    },
    `DealBooks is listening on ${local} (public ${config.publicBaseUrl}); health ${local}/healthz, readiness ${local}/readyz`,
  );
  if (sandbox) {
    await sandbox.wire(local);
    try {
      for (const line of await sandbox.connect(local)) logger.info({ sandbox: true }, line);
    } catch (err) {
      logger.warn({ err }, 'Sandbox: installing DealBooks in the demo account or connecting the demo company failed; the guide below shows how to do it by hand');
    }
    logger.warn('Sandbox mode: DealBooks runs against the bundled HubSpot and QuickBooks simulators (configure real credentials for production).');
    for (const line of sandbox.guide(local)) logger.info({ sandbox: true }, line);
  }
}

main().catch((err) => {
  if (err instanceof SandboxStartError) {
    process.stderr.write(`DealBooks could not start its sandbox: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`DealBooks failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
