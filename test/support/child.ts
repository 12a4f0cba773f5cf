import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

/** A test service process (worker-process.ts) whose JSON-line events can be awaited. */
export class ServiceProcess {
  readonly events: ChildEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];
  private stderr = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, 'worker-process.ts')], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as ChildEvent);
      } catch {
        this.events.push({ event: 'output', line });
      }
      this.waiters.forEach((wake) => wake());
    });
    this.child.stderr!.on('data', (chunk) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        resolve({ code, signal });
        this.waiters.forEach((wake) => wake());
      });
    });
  }

  /**
   * Resolves with the first event matching, failing fast if the process dies or reports a crash first. The bound is
   * generous on purpose: a process that starts an embedded database (a fresh PGlite data directory) takes 5 to 15 s
   * on an idle two-core machine and several times that while other test files run beside it.
   */
  async waitFor(predicate: (e: ChildEvent) => boolean, what: string, timeoutMs = 90_000): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const crashed = this.events.find((e) => e.event === 'crashed');
      if (crashed || this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`service process ended before ${what}: ${JSON.stringify(crashed ?? this.events)} ${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events)} ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
