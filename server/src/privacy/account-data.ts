import type pg from 'pg';

/**
 * What DealBooks holds about one HubSpot contact or one whole account, and how it is erased. Rows of an account all
 * reference portals(portal_id) ON DELETE CASCADE; raw webhook deliveries and queued jobs are found by the accounts
 * and ids they carry. Records that live in QuickBooks (a customer, an invoice) are the customer's accounting records
 * and are not DealBooks' to delete.
 */

export interface ContactDeletionCounts {
  links: number;
  events: number;
  deliveries: number;
  syncLog: number;
}

/** Erases what is stored about a contact of an account (privacy deletion). Idempotent. */
export async function deleteContactData(pool: pg.Pool, portalId: number, contactId: string): Promise<ContactDeletionCounts> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Raw deliveries that carried events about the contact go first (found through those events); the events
    // themselves then go, except the deletion request itself, kept (it holds only the id) as the record of the request.
    const deliveries = await client.query(
      `DELETE FROM webhook_deliveries d
        WHERE d.id IN (SELECT delivery_id FROM webhook_events
                        WHERE portal_id = $1 AND object_type = 'contact' AND object_id = $2
                          AND event_type <> 'contact.privacyDeletion' AND delivery_id IS NOT NULL)`,
      [portalId, contactId],
    );
    const events = await client.query(
      `DELETE FROM webhook_events WHERE portal_id = $1 AND object_type = 'contact' AND object_id = $2 AND event_type <> 'contact.privacyDeletion'`,
      [portalId, contactId],
    );
    await client.query(
      `UPDATE webhook_events SET status = 'processed', processed_at = now()
        WHERE portal_id = $1 AND object_type = 'contact' AND object_id = $2 AND event_type = 'contact.privacyDeletion' AND status = 'pending'`,
      [portalId, contactId],
    );
    const links = await client.query(`DELETE FROM entity_links WHERE portal_id = $1 AND hubspot_object_type = 'contact' AND hubspot_object_id = $2`, [
      portalId,
      contactId,
    ]);
    const syncLog = await client.query(`DELETE FROM sync_log WHERE portal_id = $1 AND hubspot_object_type = 'contact' AND hubspot_object_id = $2`, [
      portalId,
      contactId,
    ]);
    await client.query('COMMIT');
    return { links: links.rowCount ?? 0, events: events.rowCount ?? 0, deliveries: deliveries.rowCount ?? 0, syncLog: syncLog.rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export interface AccountDeletionCounts {
  deliveries: number;
  jobs: number;
  account: number;
}

/** Erases everything DealBooks holds for an account: its rows (cascade), raw deliveries and queued jobs. */
export async function deleteAccountData(pool: pg.Pool, bossSchema: string, portalId: number): Promise<AccountDeletionCounts> {
  if (!/^[a-z_][a-z0-9_]*$/.test(bossSchema)) throw new Error('unsafe schema name');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const deliveries = await client.query('DELETE FROM webhook_deliveries WHERE portal_ids && ARRAY[$1::bigint]', [portalId]);
    // Jobs carry the account as data.portalId (every per-account job does); queued, retrying or failed ones go too.
    const jobs = await client.query(`DELETE FROM "${bossSchema}".job WHERE data->>'portalId' = $1::text`, [String(portalId)]);
    await client.query(`DELETE FROM "${bossSchema}".archive WHERE data->>'portalId' = $1::text`, [String(portalId)]);
    const account = await client.query('DELETE FROM portals WHERE portal_id = $1', [portalId]);
    await client.query('COMMIT');
    return { deliveries: deliveries.rowCount ?? 0, jobs: jobs.rowCount ?? 0, account: account.rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
