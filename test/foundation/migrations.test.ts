import { openDatabase } from '../../server/src/db/database';
import { migrate, pendingMigrations } from '../../server/src/db/migrate';
import { createTestDatabase, DATABASE_KIND, silentLogger, type TestDatabase } from '../support/harness';
import { SHIPPED_MIGRATIONS } from '../support/migrations';

/** Everything that describes the schema, in a stable order, to compare before and after. */
async function schemaFingerprint(db: TestDatabase): Promise<string> {
  const columns = await db.pool.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public'
      ORDER BY table_name, column_name`,
  );
  const indexes = await db.pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
  const constraints = await db.pool.query(
    `SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY rel, conname`,
  );
  return JSON.stringify([columns.rows, indexes.rows, constraints.rows]);
}

describe(`migrations (${DATABASE_KIND})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.close());

  const ALL = [...SHIPPED_MIGRATIONS];

  it('When migrations run on an empty database, then every table exists', async () => {
    expect(await pendingMigrations(db.pool)).toEqual(ALL);
    const { applied } = await migrate(db.pool, silentLogger);
    expect(applied).toEqual(ALL);
    const { rows } = await db.pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(rows.map((r) => r.tablename)).toEqual([
      'deal_actions',
      'deal_backstop_checkpoints',
      'deal_lifecycle',
      'deal_notes',
      'deal_written_properties',
      'entity_links',
      'hubspot_credentials',
      'job_key_leases',
      'oauth_states',
      'overdue_tasks',
      'portal_admins',
      'portal_settings',
      'portals',
      'qbo_change_checkpoints',
      'qbo_connections',
      'qbo_documents',
      'qbo_payment_applications',
      'qbo_payments',
      'sandbox_world',
      'schema_migrations',
      'seen_request_signatures',
      'sync_log',
      'waiting_jobs',
      'webhook_deliveries',
      'webhook_events',
      'webhook_signature_refusals',
    ]);
    expect(await pendingMigrations(db.pool)).toEqual([]);
  });

  it('When migrations run a second time, then nothing is applied and the schema is unchanged', async () => {
    const before = await schemaFingerprint(db);
    const { applied } = await migrate(db.pool, silentLogger);
    expect(applied).toEqual([]);
    expect(await schemaFingerprint(db)).toBe(before);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe(ALL.length);
  });

  it('When several processes start at once on an empty database, then they wait for each other and it is migrated once', async () => {
    const fresh = await createTestDatabase();
    // Separate pools stand for separate processes; the embedded database has one connection, so there it is one pool.
    const pools =
      DATABASE_KIND === 'postgres'
        ? await Promise.all([0, 1, 2].map(() => openDatabase({ databaseUrl: fresh.url, logger: silentLogger, poolSize: 2 })))
        : [fresh, fresh, fresh];
    try {
      const results = await Promise.all(pools.map((p) => migrate(p.pool, silentLogger)));
      expect(results.flatMap((r) => r.applied)).toEqual(ALL);
      expect(await pendingMigrations(fresh.pool)).toEqual([]);
    } finally {
      if (DATABASE_KIND === 'postgres') await Promise.all(pools.map((p) => p.close()));
      await fresh.close();
    }
  });

  describe('the schema keeps accounts apart', () => {
    beforeAll(async () => {
      await db.pool.query(`INSERT INTO portals (portal_id) VALUES (101), (202)`);
      for (const portal of [101, 202]) {
        const { rows } = await db.pool.query(
          `INSERT INTO qbo_connections (portal_id, realm_id, environment, access_token_cipher, refresh_token_cipher, key_id)
           VALUES ($1, $2, 'sandbox', '\\x00', '\\x00', 'k1') RETURNING id`,
          [portal, `realm-${portal}`],
        );
        await db.pool.query(
          `INSERT INTO entity_links (portal_id, connection_id, hubspot_object_type, hubspot_object_id, qbo_entity_type, qbo_request_id)
           VALUES ($1, $2, 'deal', '9', 'Invoice', $3)`,
          [portal, rows[0].id, `req-${portal}`],
        );
        await db.pool.query(
          `INSERT INTO sync_log (portal_id, level, action, outcome, message) VALUES ($1, 'info', 'test', 'succeeded', 'ok')`,
          [portal],
        );
      }
    });

    it("When a link names another account's QBO connection, then the database refuses it", async () => {
      const { rows } = await db.pool.query(`SELECT id FROM qbo_connections WHERE portal_id = 202`);
      await expect(
        db.pool.query(
          `INSERT INTO entity_links (portal_id, connection_id, hubspot_object_type, hubspot_object_id, qbo_entity_type, qbo_request_id)
           VALUES (101, $1, 'deal', '10', 'Invoice', 'cross')`,
          [rows[0].id],
        ),
      ).rejects.toThrow(/foreign key/);
    });

    it('When a second live QBO connection is added to an account, then the database refuses it', async () => {
      await expect(
        db.pool.query(
          `INSERT INTO qbo_connections (portal_id, realm_id, environment, access_token_cipher, refresh_token_cipher, key_id)
           VALUES (101, 'other', 'sandbox', '\\x00', '\\x00', 'k1')`,
        ),
      ).rejects.toThrow(/qbo_connections_one_live_per_portal/);
    });

    it("When an account is deleted, then everything keyed by it goes and the other account's rows stay", async () => {
      await db.pool.query('DELETE FROM portals WHERE portal_id = 101');
      for (const table of ['qbo_connections', 'entity_links', 'sync_log']) {
        const { rows } = await db.pool.query(`SELECT portal_id::int AS p, count(*)::int AS n FROM ${table} GROUP BY portal_id`);
        expect(rows).toEqual([{ p: 202, n: 1 }]);
      }
    });
  });
});
