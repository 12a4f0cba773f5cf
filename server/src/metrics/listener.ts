import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';

/**
 * GET /metrics on a listener of its own (METRICS_PORT, bound to METRICS_HOST: loopback by default). Metrics name
 * queues, sources and upstream statuses, which is nobody's business outside: the public port never serves them, and
 * this port is meant for a scraper on the same host or private network. Anything else here answers 404.
 */
export interface MetricsListener {
  address: AddressInfo;
  close(): Promise<void>;
}

export function startMetricsListener(options: { registry: Registry; port: number; host: string; logger: Logger }): Promise<MetricsListener> {
  const { registry, logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err, component: 'metrics' }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected\n');
      },
    );
  });
  // Port 0 takes any free port: the address bound is read back, never guessed beforehand.
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off('error', reject);
      resolve({
        address: server.address() as AddressInfo,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
