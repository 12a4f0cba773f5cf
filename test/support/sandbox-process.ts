import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm start` as a user runs it (server/src/main.ts, nothing configured: sandbox mode), on any free port, with its
 * JSON log lines readable. `addresses()` waits for the start-up guide and reads the service's and simulators'
 * addresses from it.
 */
export class SandboxProcess {
  readonly lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line));
      } catch {
        this.lines.push({ level: 0, msg: line });
      }
    });
    this.child.stderr!.on('data', (chunk) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once the start-up guide is printed (a start takes seconds, many more on a busy machine). */
  async started(timeoutMs = 150_000): Promise<{ dealbooks: string; hubspot: string; quickbooks: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.line(/^Everything else/)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`npm start ended before it was ready: ${this.stderr} ${this.text()}`);
      if (Date.now() > deadline) throw new Error(`npm start was not ready in time: ${this.stderr} ${this.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = (pattern: RegExp) => pattern.exec(this.line(pattern)!.msg)![1]!;
    return {
      dealbooks: url(/^DealBooks is listening on (\S+)/),
      hubspot: url(/^HubSpot simulator: +(\S+)/),
      quickbooks: url(/^QuickBooks simulator: +(\S+)/),
    };
  }

  line(pattern: RegExp): { level: number; msg: string } | undefined {
    return this.lines.find((l) => pattern.test(l.msg));
  }

  /** Lines logged at error level or above (pino: 50). */
  errors(): string[] {
    return this.lines.filter((l) => l.level >= 50).map((l) => l.msg);
  }

  text(): string {
    return this.lines.map((l) => l.msg).join('\n');
  }

  /** SIGKILL unless it has exited already (a test's clean-up after a failure). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** SIGTERM, as Ctrl-C or a supervisor stops it; resolves with how it exited. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** `npm run sandbox:reset` with the same environment. */
export function sandboxReset(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/cli/sandbox-reset.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
