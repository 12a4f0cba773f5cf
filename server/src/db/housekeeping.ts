import type { Queryable } from './transaction';

/**
 * Retention of raw webhook deliveries: a processed delivery is kept `retentionDays` for diagnosis, then deleted (its
 * body holds customer data). Failed ones stay until a person has dealt with them. Returns how many went.
 */
export async function deleteProcessedDeliveries(db: Queryable, retentionDays: number): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM webhook_deliveries WHERE status = 'processed' AND received_at < now() - make_interval(days => $1)`, [
    retentionDays,
  ]);
  return rowCount ?? 0;
}
