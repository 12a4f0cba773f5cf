import { z } from 'zod';
import { parseRow } from './rows';
import type { Queryable } from './transaction';

/**
 * The id of the sandbox world DealBooks' data belongs to (sandbox_world), and what a sandbox reset wipes. Used only
 * in sandbox mode.
 */

/** The world id recorded with DealBooks' data, and whether that data holds any account at all. */
export async function readSandboxWorld(db: Queryable): Promise<{ worldId: string | null; holdsAccounts: boolean }> {
  const { rows } = await db.query(
    `SELECT (SELECT world_id FROM sandbox_world) AS world_id, EXISTS (SELECT 1 FROM portals) AS holds_accounts`,
  );
  const row = parseRow('sandbox_world', z.object({ world_id: z.string().nullable(), holds_accounts: z.boolean() }), rows[0]);
  return { worldId: row.world_id, holdsAccounts: row.holds_accounts };
}

/** Records the world id unless one is recorded already; returns the recorded one. */
export async function claimSandboxWorld(db: Queryable, worldId: string): Promise<string> {
  await db.query('INSERT INTO sandbox_world (world_id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [worldId]);
  const { rows } = await db.query('SELECT world_id FROM sandbox_world');
  return parseRow('sandbox_world', z.object({ world_id: z.string() }), rows[0]).world_id;
}

/**
 * Drops every table of DealBooks' schema and of its job queue (`npm run sandbox:reset` on a DATABASE_URL): the
 * next start migrates an empty database. Only ever called for a sandbox.
 */
export async function dropEverything(db: Queryable): Promise<string[]> {
  const { rows } = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const tables = rows.map((r) => parseRow('pg_tables', z.object({ tablename: z.string() }), r).tablename);
  await db.query('DROP SCHEMA IF EXISTS pgboss CASCADE');
  for (const table of tables) await db.query(`DROP TABLE IF EXISTS public."${table.replace(/"/g, '""')}" CASCADE`);
  return tables;
}
