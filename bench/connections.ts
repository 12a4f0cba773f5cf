/**
 * Connection numbers: what every card request pays before its own work (v3 signature, replay record, account
 * check), what a refresh costs when many callers hit an expired token at once (single flight: one refresh, the
 * rest wait for it), and the token vault's own cost. Against the sandbox's simulators, on the bench's database.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signHubSpotV3 } from '../server/src/security/hubspot-signature';
import { startBenchSandbox } from './sandbox-service';
import { TokenVault } from '../server/src/security/token-vault';
import { measure } from './simulators';

type Record = (name: string, value: string) => void;

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CALLERS = Number(process.env.BENCH_REFRESH_CALLERS ?? 50);

export async function benchConnections(record: Record, databaseUrl: string | undefined): Promise<void> {
  const { clock, sandbox, service, url, portalId, secret, close } = await startBenchSandbox({ databaseUrl, name: 'conn' });
  try {
    let n = 0;
    record(
      `signed GET /api/quickbooks/status x${REQUESTS}, 10 concurrent`,
      await measure(REQUESTS, 10, async () => {
        const target = `${url}/api/quickbooks/status?portalId=${portalId}&userId=1&userEmail=bench%40example.com&n=${n++}`;
        const timestamp = clock.nowMs();
        const response = await fetch(target, {
          headers: {
            'x-hubspot-signature-v3': signHubSpotV3({ clientSecret: secret, method: 'GET', url: target, rawBody: '', timestamp }),
            'x-hubspot-request-timestamp': String(timestamp),
          },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`status ${response.status}`);
      }),
    );

    const connections = service.context.quickbooks.connections;
    const rounds = 5;
    const latencies: number[] = [];
    const refreshCalls = async () => {
      const answer = await fetch(`${sandbox.quickbooks.url}/_sim/oauth/counters?realmId=${sandbox.quickbooks.realmId}`);
      return ((await answer.json()) as { refreshCalls: number }).refreshCalls;
    };
    const before = await refreshCalls();
    for (let round = 0; round < rounds; round++) {
      await clock.advance(3600_000 + 60_000);
      const t = performance.now();
      const tokens = await Promise.all(Array.from({ length: CALLERS }, () => connections.accessToken(portalId)));
      latencies.push(performance.now() - t);
      if (new Set(tokens.map((x) => x.token)).size !== 1) throw new Error('callers got different tokens');
    }
    latencies.sort((a, b) => a - b);
    const refreshes = (await refreshCalls()) - before;
    record(`QBO token expiry, ${CALLERS} callers at once (x${rounds})`, `${refreshes} refreshes at Intuit in ${rounds} expiries; all callers served in p50 ${latencies[2]!.toFixed(1)} ms, max ${latencies[4]!.toFixed(1)} ms`);

    const vault = new TokenVault([randomBytes(32)]);
    const token = randomBytes(600).toString('base64url');
    let t = performance.now();
    const sealedCount = 20_000;
    let last = vault.seal(token, 'c');
    for (let i = 0; i < sealedCount; i++) last = vault.seal(token, 'c');
    const sealMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < sealedCount; i++) vault.open(last.cipher, last.keyId, 'c');
    const openMs = performance.now() - t;
    record('token vault, 800-byte token', `seal ${Math.round((sealedCount / sealMs) * 1000)}/s, open ${Math.round((sealedCount / openMs) * 1000)}/s`);
  } finally {
    await close();
  }
}
