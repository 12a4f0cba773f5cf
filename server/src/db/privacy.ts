import type { Queryable } from './transaction';

/**
 * The deletes that erase what DealBooks holds about one HubSpot contact, or one account's raw webhook deliveries
 * (the only account data not reachable through portals' ON DELETE CASCADE: a delivery is stored before it is parsed
 * and may carry events of several accounts, so it records their ids in portal_ids). Each returns how many rows went.
 */

/** Raw deliveries that carried events about the contact, except its privacy-deletion request. */
export async function deleteContactDeliveries(db: Queryable, portalId: number, contactId: string): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM webhook_deliveries d
      WHERE d.id IN (SELECT delivery_id FROM webhook_events
                      WHERE portal_id = $1 AND object_type = 'contact' AND object_id = $2
                        AND event_type <> 'contact.privacyDeletion' AND delivery_id IS NOT NULL)`,
    [portalId, contactId],
  );
  return rowCount ?? 0;
}

/** The contact's events, except its privacy-deletion request. */
export async function deleteContactEvents(db: Queryable, portalId: number, contactId: string): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM webhook_events WHERE portal_id = $1 AND object_type = 'contact' AND object_id = $2 AND event_type <> 'contact.privacyDeletion'`,
    [portalId, contactId],
  );
  return rowCount ?? 0;
}

/** Marks the contact's pending privacy-deletion request done; it stays (it holds only the id) as the record of the request. */
export async function markContactDeletionDone(db: Queryable, portalId: number, contactId: string): Promise<void> {
  await db.query(
    `UPDATE webhook_events SET status = 'processed', processed_at = now()
      WHERE portal_id = $1 AND object_type = 'contact' AND object_id = $2 AND event_type = 'contact.privacyDeletion' AND status = 'pending'`,
    [portalId, contactId],
  );
}

/** The contact's links to QuickBooks records (the QuickBooks records themselves are the customer's, and stay). */
export async function deleteContactLinks(db: Queryable, portalId: number, contactId: string): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM entity_links WHERE portal_id = $1 AND hubspot_object_type = 'contact' AND hubspot_object_id = $2`, [
    portalId,
    contactId,
  ]);
  return rowCount ?? 0;
}

export async function deleteContactSyncLog(db: Queryable, portalId: number, contactId: string): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM sync_log WHERE portal_id = $1 AND hubspot_object_type = 'contact' AND hubspot_object_id = $2`, [
    portalId,
    contactId,
  ]);
  return rowCount ?? 0;
}

/** Raw deliveries that carried events of the account. */
export async function deleteAccountDeliveries(db: Queryable, portalId: number): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM webhook_deliveries WHERE portal_ids && ARRAY[$1::bigint]', [portalId]);
  return rowCount ?? 0;
}
