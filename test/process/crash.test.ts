import type pg from 'pg';
import { ServiceProcess } from '../support/child';
import { DATABASE_KIND } from '../support/harness';
import { withProcessDatabase } from '../support/process-database';

async function jobState(pool: pg.Pool, id: string) {
  const { rows } = await pool.query(`SELECT state, retry_count FROM pgboss.job WHERE id = $1`, [id]);
  const effects = await pool.query(`SELECT effect_key FROM test_effects WHERE job_id = $1`, [id]);
  return { ...rows[0], effects: effects.rows.map((r) => r.effect_key) };
}

// Each test starts one or two real service processes (see ServiceProcess.waitFor for how long a start may take).
jest.setTimeout(240_000);

describe(`process crash and shutdown (${DATABASE_KIND})`, () => {
  it('When a worker is killed with SIGKILL mid-job, then after a restart the job completes exactly once', () =>
    withProcessDatabase(async (database) => {
      const first = new ServiceProcess({ ...database.env, ENQUEUE: 'invoice-for-deal-7', BEHAVIOUR: 'hang-first', EXPIRE_SECONDS: '2' });
      const started = await first.waitFor((e) => e.event === 'started', 'the job to start');
      expect(started.attempt).toBe(1);
      first.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

      const second = new ServiceProcess({ ...database.env, BEHAVIOUR: 'hang-first', EXPIRE_SECONDS: '2' });
      const effect = await second.waitFor((e) => e.event === 'effect', 'the job to complete after restart');
      expect(effect).toMatchObject({ jobId: started.jobId, attempt: 2 });
      second.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);

      expect(second.events.filter((e) => e.event === 'started')).toEqual([{ event: 'started', jobId: started.jobId, attempt: 2 }]);
      const state = await database.inspect((pool) => jobState(pool, String(started.jobId)));
      expect(state).toEqual({ state: 'completed', retry_count: 1, effects: ['invoice-for-deal-7'] });
    }));

  it('When the process gets SIGTERM mid-job, then the running job finishes, nothing new starts and it exits 0', () =>
    withProcessDatabase(async (database) => {
      const child = new ServiceProcess({ ...database.env, ENQUEUE: 'slow-one,waiting-one', BEHAVIOUR: 'slow', SLOW_MS: '1500', EXPIRE_SECONDS: '60' });
      const started = await child.waitFor((e) => e.event === 'started', 'the job to start');
      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      const lifecycle = child.events.map((e) => e.event).filter((e) => e !== 'enqueued' && e !== 'ready');
      expect(lifecycle).toEqual(['started', 'stopping', 'effect', 'stopped']);
      const waiting = child.events.find((e) => e.event === 'enqueued' && e.key === 'waiting-one')!;
      await database.inspect(async (pool) => {
        expect(await jobState(pool, String(started.jobId))).toEqual({ state: 'completed', retry_count: 0, effects: ['slow-one'] });
        expect(await jobState(pool, String(waiting.jobId))).toEqual({ state: 'created', retry_count: 0, effects: [] });
      });
    }));

  it('When a running job outlasts the shutdown timeout, then it is handed back for a retry and the process still exits', () =>
    withProcessDatabase(async (database) => {
      const child = new ServiceProcess({ ...database.env, ENQUEUE: 'stuck', BEHAVIOUR: 'hang-first', EXPIRE_SECONDS: '60', SHUTDOWN_TIMEOUT_MS: '1000' });
      const started = await child.waitFor((e) => e.event === 'started', 'the job to start');
      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      const state = await database.inspect((pool) => jobState(pool, String(started.jobId)));
      expect(state).toEqual({ state: 'retry', retry_count: 0, effects: [] });
    }));
});
