import net from 'node:net';

/**
 * No test reaches the internet: every outbound TCP connection other than loopback (and Unix sockets) is refused
 * before anything is sent, with an error that says why. Loaded by jest for every test file.
 */
export const NETWORK_GUARD_CODE = 'ERR_TEST_NETWORK_DISABLED';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopback(host: string | undefined): boolean {
  return host === undefined || host === '' || LOOPBACK.test(host);
}

type ConnectArgs = Parameters<typeof net.Socket.prototype.connect>;

function targetOf(args: unknown[]): { host?: string; path?: string } {
  const first = args[0];
  if (Array.isArray(first)) return targetOf(first); // internal normalized form [options, cb]
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: string; path?: string };
    return { host: o.host, path: o.path };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
  return { host: typeof args[1] === 'string' ? args[1] : undefined };
}

const original = net.Socket.prototype.connect;
if (!(original as { guarded?: boolean }).guarded) {
  const guarded = function (this: net.Socket, ...args: ConnectArgs) {
    const target = targetOf(args);
    if (!target.path && !isLoopback(target.host)) {
      const err = Object.assign(new Error(`Outbound network is disabled in tests (tried ${target.host}).`), {
        code: NETWORK_GUARD_CODE,
      });
      throw err;
    }
    return original.apply(this, args);
  } as typeof original & { guarded?: boolean };
  guarded.guarded = true;
  net.Socket.prototype.connect = guarded;
}
