/**
 * What a harness started, undone newest first. Setups register a step as soon as each piece is running, so a setup
 * that fails half-way stops what it had started (a bound port, the simulators, a job queue, a database) instead of
 * leaving it running after jest has torn the test file down.
 */
export class Teardown {
  private steps: Array<() => unknown> = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step, newest first, even when one fails; then throws the first failure. */
  async run(): Promise<void> {
    const failures = await this.runAll();
    if (failures.length > 0) throw failures[0];
  }

  /** For a setup that failed: undoes what it started, then throws its error (with any cleanup failures beside it). */
  async afterFailure(err: unknown): Promise<never> {
    const failures = await this.runAll();
    if (failures.length > 0) throw new AggregateError([err, ...failures], `setup failed (${String(err)}), and so did cleaning up after it`);
    throw err;
  }

  private async runAll(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }
}
