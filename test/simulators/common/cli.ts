import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';

/**
 * What both simulator CLIs do once their simulator listens: print what runs where, serve until SIGINT or SIGTERM,
 * then close and exit 0 (1 if closing fails).
 */
export function serveUntilSignalled(sim: { close(): Promise<void> }, banner: string[]): void {
  process.stdout.write(`${banner.join('\n')}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`failed to stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Reads `--flags` (node's parseArgs, strict) and validates them with `schema`; on a bad argument prints what is
 * wrong and the usage, and exits 2.
 */
export function parseCliArgs<T>(options: ParseArgsConfig['options'], schema: z.ZodType<T>, usage: string): T {
  try {
    const { values } = parseArgs({ options, strict: true });
    return schema.parse(values);
  } catch (error) {
    const problems = error instanceof z.ZodError ? error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') : String((error as Error).message);
    process.stderr.write(`${problems}\n${usage}\n`);
    process.exit(2);
  }
}
