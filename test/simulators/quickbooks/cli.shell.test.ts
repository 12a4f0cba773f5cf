import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { DEMO_REALM_ID } from './index';
import { authorize, redirectParams } from './oauth-test-support';

const CLI = path.resolve(__dirname, 'cli.ts');

function run(args: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string; firstLine: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  return { child, exited, stderr: () => stderr, firstLine };
}

describe('cli', () => {
  it('When the CLI starts, then it prints its URL, serves OAuth and control with the given app, and exits 0 on SIGTERM', async () => {
    const app = { clientId: 'cli-client', clientSecret: 'cli-secret', redirectUris: ['http://localhost:9999/cb'] };
    const proc = run(['--port', '0', '--client-id', app.clientId, '--client-secret', app.clientSecret, '--redirect-uri', app.redirectUris[0]!]);
    try {
      const url = /listening on (http:\/\/\S+)/.exec(await proc.firstLine)?.[1] ?? '';
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(redirectParams(await authorize(url, { app })).get('realmId')).toBe(DEMO_REALM_ID);
      expect((await fetch(`${url}/_sim/clock`)).status).toBe(200);
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited).toBe(0);
  });

  it('When an argument is invalid, then the CLI says which and exits 2 without listening', async () => {
    const proc = run(['--seed', 'lots']);
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('--seed');
    expect(proc.stderr()).toContain('usage:');
  });
});
