import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { DATABASE_KIND, TEST_ENCRYPTION_KEY } from '../support/harness';
import { closedPort } from '../support/loopback';
import { withProcessDatabase } from '../support/process-database';

/**
 * `npm run jobs -- overdue <account>`: the operator runs one account's overdue follow-up now, in a process of its own
 * built like the service (what it does to tasks is tested through the same function in
 * test/quote-to-cash/overdue-tasks.test.ts).
 */
function jobsCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../server/src/cli/jobs.ts'), ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe(`the overdue operator command (${DATABASE_KIND})`, () => {
  it('When the command is misused, then its usage names it and an account id that is not one is refused', () => {
    expect(jobsCli([], {})).toMatchObject({ code: 0, out: expect.stringContaining('npm run jobs -- overdue <account-id>') });
    expect(jobsCli(['overdue'], {})).toMatchObject({ code: 2, out: 'overdue needs a HubSpot account id, e.g. npm run jobs -- overdue 62515001\n' });
    expect(jobsCli(['overdue', '0x1'], {})).toMatchObject({ code: 2 });
  });

  it('When it runs for an account where DealBooks is not installed, then it migrates, sweeps through the queue and says there is nothing to do', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    await withProcessDatabase(async (database) => {
      const env = {
        ...database.env,
        HUBSPOT_CLIENT_ID: 'cli-client',
        HUBSPOT_CLIENT_SECRET: 'cli-secret',
        HUBSPOT_APP_ID: '1',
        HUBSPOT_API_BASE_URL: unreachable,
        QBO_CLIENT_ID: 'cli-qbo-client',
        QBO_CLIENT_SECRET: 'cli-qbo-secret',
        QBO_WEBHOOK_VERIFIER_TOKEN: 'cli-verifier',
        QBO_API_BASE_URL: unreachable,
        TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      };
      expect(jobsCli(['overdue', '62515001'], env)).toMatchObject({ code: 0, out: 'Account 62515001: DealBooks is not installed there; nothing to do.\n' });
      const state = await database.inspect(async (pool) => (await pool.query(`SELECT state FROM pgboss.job WHERE name = 'overdue.sweep-account'`)).rows.map((r) => r.state));
      expect(state).toEqual(['completed']);
    });
  });
});
