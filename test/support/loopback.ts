import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Ports for tests. A service whose config names its own address (PUBLIC_BASE_URL, OAuth redirect URLs) must know
 * its port before it exists. Finding a free port, closing it and binding it again later races with everything
 * else that binds port 0 meanwhile (the sandbox's simulators, other test files): bind first, keep the socket, and
 * hand it to the service with `service.serve(bound.server)`.
 */
export interface BoundServer {
  /** Listening on 127.0.0.1 and answering nothing until a service serves on it. */
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Closes the server unless it is closed already (a service that served on it closes it when it stops). */
  close(): Promise<void>;
}

export async function bindLoopback(): Promise<BoundServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A loopback port nothing listens on right now, for tests of a refused connection. Never bind it later (see above):
 * another listener may have taken it by then.
 */
export async function closedPort(): Promise<number> {
  const bound = await bindLoopback();
  await bound.close();
  return bound.port;
}
