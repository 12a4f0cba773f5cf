import { z } from 'zod';
import { parseRow } from './rows';
import type { Queryable } from './transaction';

/**
 * The deal properties DealBooks last wrote to HubSpot, per deal (deal_written_properties): what write-back compares
 * with, so it sends only values that changed. Recorded only after HubSpot took the write.
 */
const row = z.object({ properties: z.record(z.string(), z.string()) });

export async function readWrittenProperties(db: Queryable, portalId: number, dealId: string): Promise<Record<string, string> | null> {
  const { rows } = await db.query('SELECT properties FROM deal_written_properties WHERE portal_id = $1 AND deal_id = $2', [portalId, dealId]);
  return rows[0] ? parseRow('deal_written_properties', row, rows[0]).properties : null;
}

/** Merges what was just written into what was written before (a key not sent keeps its last value). */
export async function recordWrittenProperties(db: Queryable, portalId: number, dealId: string, written: Record<string, string>, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO deal_written_properties (portal_id, deal_id, properties, written_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (portal_id, deal_id) DO UPDATE SET properties = deal_written_properties.properties || EXCLUDED.properties, written_at = EXCLUDED.written_at`,
    [portalId, dealId, JSON.stringify(written), now],
  );
}
