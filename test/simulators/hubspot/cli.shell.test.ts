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
    const { child, ready, exited } = startCli(['--port', '0', '--host', 'localhost', '--app-id', '777', '--seed', 'demo', '--client-id', 'cid-1', '--client-secret', 'sec-1', '--webhook-url', 'http://127.0.0.1:9/hooks']);
    try {
      const { url, output } = await ready;
      expect(output()).toContain('client_id=cid-1 client_secret=sec-1');
      const token = /access_token=(\S+)/.exec(output())?.[1];
      expect(token).toBeTruthy();
      const res = await fetch(`${url}/crm/v3/objects/deals?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const apps = (await (await fetch(`${url}/_sim/apps`)).json()) as { apps: Array<{ appId: number; clientId: string; webhooks: { targetUrl?: string } }> };
      expect(apps.apps[0]).toMatchObject({ appId: 777, clientId: 'cid-1', webhooks: { targetUrl: 'http://127.0.0.1:9/hooks' } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('When started with --scope and --optional-scope, then the app has those scopes and a call outside them gets HubSpot\'s 403 MISSING_SCOPES', async () => {
    const { child, ready, exited } = startCli(['--port', '0', '--scope', 'oauth', '--scope', 'crm.objects.deals.read', '--optional-scope', 'crm.objects.line_items.read']);
    try {
      const { url, output } = await ready;
      expect(output()).toContain('scopes: oauth crm.objects.deals.read (optional: crm.objects.line_items.read)');
      expect(output()).toContain('&optional_scope=crm.objects.line_items.read');
      const apps = (await (await fetch(`${url}/_sim/apps`)).json()) as { apps: Array<{ scopes: string[]; optionalScopes: string[] }> };
      expect(apps.apps[0]).toMatchObject({ scopes: ['oauth', 'crm.objects.deals.read'], optionalScopes: ['crm.objects.line_items.read'] });
      const token = /access_token=(\S+)/.exec(output())?.[1];
      const headers = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/crm/v3/objects/deals?limit=1`, { headers })).status).toBe(200);
      const refused = await fetch(`${url}/crm/v3/objects/line_items?limit=1`, { headers });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ category: 'MISSING_SCOPES' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it.each([
    [['--scope', 'has space'], /--scope\.0: must be a scope name/],
    [['--seed', 'lots'], /--seed: /],
    [['--app-id', 'abc'], /--app-id: /],
    [['--app-id', '0'], /--app-id: /],
    [['--host', 'not a host'], /--host: must be a host name or an IP address/],
    [['--port', '70000'], /--port: /],
    [['--webhook-url', 'nowhere'], /--webhook-url: /],
    [['--colour', 'blue'], /Unknown option '--colour'/],
  ])('When given %j, then it says what is wrong, prints the usage and exits 2', async (args, problem) => {
    const { ready, exited } = startCli(['--port', '0', ...args]);
    const failure = await ready.then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(problem);
    expect(failure).toMatch(/usage: cli\.ts \[--port 4002\]/);
    expect(await exited).toBe(2);
  }, 30_000);
});
