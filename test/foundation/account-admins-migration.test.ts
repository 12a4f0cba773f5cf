import { migrate } from '../../server/src/db/migrate';
import { SHIPPED_MIGRATIONS } from '../support/migrations';
import { createTestDatabase, DATABASE_KIND, silentLogger, type TestDatabase } from '../support/harness';

/**
 * The migration that introduced DealBooks admins gives every account installed before it its recorded installer as
 * first admin, and an account with no installer on record none (installing again makes its installer admin).
 * The migration is applied again over accounts stored as they were before it.
 */
describe(`DealBooks admins migration (${DATABASE_KIND})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.close());

  it('When accounts were installed before admins existed, then each with a recorded installer gets that user as its only admin, and one without gets none', async () => {
    await migrate(db.pool, silentLogger);
    // Back to the schema before the admins migration (and the ones after it, which run again in order).
    const later = SHIPPED_MIGRATIONS.slice(SHIPPED_MIGRATIONS.indexOf('20261203100000_account-admins'));
    await db.pool.query(`DROP TABLE portal_admins`);
    await db.pool.query(`DROP TABLE deal_lifecycle`);
    await db.pool.query(`DELETE FROM schema_migrations WHERE name = ANY($1::text[])`, [later]);
    await db.pool.query(`INSERT INTO portals (portal_id) VALUES (101), (102)`);
    for (const [portalId, installer] of [
      [101, 7301],
      [102, null],
    ] as const) {
      await db.pool.query(
        `INSERT INTO hubspot_credentials (portal_id, access_token_cipher, refresh_token_cipher, key_id, access_expires_at, installed_by_user_id)
         VALUES ($1, '\\x00', '\\x00', 'k1', now(), $2)`,
        [portalId, installer],
      );
    }

    const { applied } = await migrate(db.pool, silentLogger);
    expect(applied).toEqual(later);
    const { rows } = await db.pool.query(`SELECT portal_id::int AS portal_id, user_id, added_by_user_id FROM portal_admins ORDER BY portal_id`);
    expect(rows).toEqual([{ portal_id: 101, user_id: '7301', added_by_user_id: null }]);
    // An account's admins go with the account.
    await db.pool.query(`DELETE FROM portals WHERE portal_id = 101`);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM portal_admins`)).rows[0].n).toBe(0);
  });
});
