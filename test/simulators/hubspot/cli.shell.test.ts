import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, 'cli.ts');

/** Starts the CLI as a real process and resolves once it printed its URL (and everything printed until then). */
function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: join(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<{ url: string; output: () => string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match && output.includes('control:')) resolve({ url: match[1]!, output: () => output });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`cli exited early (${code}): ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('HubSpot simulator CLI', () => {
  it('When started with a port, seed and credentials, then it prints URL, credentials and tokens, serves the API, and exits 0 on SIGTERM', async () => {
    const { child, ready, exited } = startCli(['--port', '0', '--seed', 'demo', '--client-id', 'cid-1', '--client-secret', 'sec-1', '--webhook-url', 'http://127.0.0.1:9/hooks']);
    try {
      const { url, output } = await ready;
      expect(output()).toContain('client_id=cid-1 client_secret=sec-1');
      const token = /access_token=(\S+)/.exec(output())?.[1];
      expect(token).toBeTruthy();
      const res = await fetch(`${url}/crm/v3/objects/deals?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const apps = (await (await fetch(`${url}/_sim/apps`)).json()) as { apps: Array<{ clientId: string; webhooks: { targetUrl?: string } }> };
      expect(apps.apps[0]).toMatchObject({ clientId: 'cid-1', webhooks: { targetUrl: 'http://127.0.0.1:9/hooks' } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('When given a bad seed, then it says so and exits non-zero', async () => {
    const { ready, exited } = startCli(['--port', '0', '--seed', 'lots']);
    await expect(ready).rejects.toThrow(/--seed must be demo, empty or none/);
    expect(await exited).toBe(1);
  }, 30_000);
});
