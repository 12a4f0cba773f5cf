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
