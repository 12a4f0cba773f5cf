import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { migrate } from '../../server/src/db/migrate';
import { PermanentJobError } from '../../server/src/errors';
import { JobQueue } from '../../server/src/jobs/queue';
import { DATABASE_KIND, silentLogger } from '../support/harness';
import { withProcessDatabase } from '../support/process-database';
import { SHIPPED_MIGRATIONS } from '../support/migrations';

function cli(script: 'jobs' | 'migrate', args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, `../../server/src/cli/${script}.ts`), ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe(`operator commands (${DATABASE_KIND})`, () => {
  it('When npm run migrate runs twice, then the first applies the schema and the second has nothing to do', () =>
    withProcessDatabase(async (database) => {
      expect(cli('migrate', [], database.env)).toMatchObject({ code: 0, out: `Applied: ${SHIPPED_MIGRATIONS.join(', ')}\n` });
      expect(cli('migrate', [], database.env)).toMatchObject({ code: 0, out: 'Nothing to apply: the schema is up to date.\n' });
    }));

  it('When a job has failed for good, then `jobs failed` lists it with its reason and `jobs retry` puts it back', () =>
    withProcessDatabase(async (database) => {
      const jobId = await database.inspect(async (pool) => {
        await migrate(pool, silentLogger);
        const jobs = new JobQueue({ pool, logger: silentLogger });
        jobs.define({
          name: 'invoice.create',
          schema: z.object({ dealId: z.string() }),
          handler: async () => {
            throw new PermanentJobError('Map product "Widget" to a QuickBooks item first.');
          },
        });
        await jobs.start();
        const id = await jobs.send('invoice.create', { dealId: '7' });
        expect(await jobs.runNext('invoice.create')).toBe('failed');
        await jobs.stop(1000);
        return id!;
      });

      const listed = cli('jobs', ['failed'], database.env);
      expect(listed.code).toBe(0);
      expect(listed.out).toMatch(new RegExp(`^${jobId}  invoice\\.create  failed \\S+ after 1 attempt\\(s\\): Map product "Widget" to a QuickBooks item first\\.\\n$`));
      expect(cli('jobs', ['failed', 'other.queue'], database.env).out).toBe('No failed jobs.\n');

      expect(cli('jobs', ['retry', jobId], database.env)).toMatchObject({ code: 0, out: `Job ${jobId} will run again.\n` });
      expect(cli('jobs', ['failed'], database.env).out).toBe('No failed jobs.\n');
      const state = await database.inspect(async (pool) => (await pool.query('SELECT state FROM pgboss.job WHERE id = $1', [jobId])).rows[0].state);
      expect(state).toBe('retry');

      expect(cli('jobs', ['retry', jobId], database.env)).toMatchObject({ code: 1, out: `No failed job with id ${jobId}.\n` });
    }));

  it('When the jobs command is misused, then it prints its usage', () => {
    expect(cli('jobs', [], {})).toMatchObject({ code: 0, out: expect.stringContaining('npm run jobs -- failed [queue]') });
    expect(cli('jobs', ['explode'], {})).toMatchObject({ code: 2, out: expect.stringContaining('npm run jobs -- retry <job-id>') });
  });
});
