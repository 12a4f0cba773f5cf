import { z } from 'zod';
import { parseRow } from './rows';
import type { Queryable } from './transaction';

/**
 * Companies and contacts merged in HubSpot: their QBO customer links (entity_links of type company or contact).
 */
export type PartyType = 'company' | 'contact';

export interface MovedCustomerLinks {
  /** Links now under the survivor. */
  moved: number;
  /**
   * The merged record's customer when the survivor already had another one: its link stays behind, unlinked, naming
   * the survivor (`mergedInto`); deals billed to it are offered the survivor's customer on their card.
   */
  setAside: Array<{ customerId: string; displayName: string | null }>;
}

/**
 * Moves the merged record's QBO customer link to the survivor, inside the caller's transaction. The survivor keeps a
 * link it already has: the merged record's link to another customer is set aside (nothing in QuickBooks is merged),
 * and one to the same customer simply ends. Idempotent.
 */
export async function moveCustomerLinks(db: Queryable, portalId: number, type: PartyType, fromId: string, toId: string, now: Date): Promise<MovedCustomerLinks> {
  const setAside = await db.query(
    `UPDATE entity_links old SET status = 'unlinked', details = old.details || jsonb_build_object('mergedInto', $4::text), updated_at = $5
      WHERE old.portal_id = $1 AND old.hubspot_object_type = $2 AND old.hubspot_object_id = $3 AND old.qbo_entity_type = 'Customer' AND old.status <> 'unlinked'
        AND EXISTS (SELECT 1 FROM entity_links s WHERE s.connection_id = old.connection_id AND s.hubspot_object_type = $2 AND s.hubspot_object_id = $4
                     AND s.qbo_entity_type = 'Customer' AND s.status <> 'unlinked')
      RETURNING old.qbo_entity_id, old.details->>'displayName' AS display_name,
                EXISTS (SELECT 1 FROM entity_links s WHERE s.connection_id = old.connection_id AND s.hubspot_object_type = $2 AND s.hubspot_object_id = $4
                         AND s.qbo_entity_type = 'Customer' AND s.status <> 'unlinked' AND s.qbo_entity_id = old.qbo_entity_id) AS same`,
    [portalId, type, fromId, toId, now],
  );
  const moved = await db.query(
    `UPDATE entity_links old SET hubspot_object_id = $4, details = old.details || jsonb_build_object('mergedFrom', $3::text), updated_at = $5
      WHERE old.portal_id = $1 AND old.hubspot_object_type = $2 AND old.hubspot_object_id = $3 AND old.qbo_entity_type = 'Customer' AND old.status <> 'unlinked'
        -- The survivor's history row for the same customer would collide in the unique index of QBO entities.
        AND NOT EXISTS (SELECT 1 FROM entity_links s WHERE s.connection_id = old.connection_id AND s.hubspot_object_type = $2 AND s.hubspot_object_id = $4
                         AND s.qbo_entity_type = 'Customer' AND s.qbo_entity_id = old.qbo_entity_id)`,
    [portalId, type, fromId, toId, now],
  );
  return {
    moved: moved.rowCount ?? 0,
    setAside: setAside.rows.flatMap((row) => {
      const r = parseRow('entity_links', z.object({ qbo_entity_id: z.string().nullable(), display_name: z.string().nullable(), same: z.boolean() }), row);
      return r.qbo_entity_id === null || r.same ? [] : [{ customerId: r.qbo_entity_id, displayName: r.display_name }];
    }),
  };
}

export interface CustomerOffer {
  /** The merged company or contact whose customer this was, and the record it was merged into. */
  mergedType: PartyType;
  mergedId: string;
  survivorId: string;
  /** The customer the survivor uses. */
  customerId: string;
  displayName: string | null;
}

/**
 * When `customerId` was the customer of a company or contact merged into another that uses a different customer:
 * that other customer, so a deal billed to `customerId` can be offered it. Null otherwise.
 */
export async function survivorCustomerOffer(db: Queryable, connectionId: number, customerId: string): Promise<CustomerOffer | null> {
  const { rows } = await db.query(
    `SELECT old.hubspot_object_type, old.hubspot_object_id, old.details->>'mergedInto' AS survivor_id, s.qbo_entity_id, s.details->>'displayName' AS display_name
       FROM entity_links old
       JOIN entity_links s ON s.connection_id = old.connection_id AND s.hubspot_object_type = old.hubspot_object_type
                          AND s.hubspot_object_id = old.details->>'mergedInto' AND s.qbo_entity_type = 'Customer' AND s.status = 'linked'
      WHERE old.connection_id = $1 AND old.qbo_entity_type = 'Customer' AND old.qbo_entity_id = $2 AND old.status = 'unlinked'
        AND old.hubspot_object_type IN ('company', 'contact') AND old.details ? 'mergedInto' AND s.qbo_entity_id IS DISTINCT FROM $2
      ORDER BY old.updated_at DESC LIMIT 1`,
    [connectionId, customerId],
  );
  if (!rows[0]) return null;
  const r = parseRow(
    'entity_links',
    z.object({ hubspot_object_type: z.enum(['company', 'contact']), hubspot_object_id: z.string(), survivor_id: z.string(), qbo_entity_id: z.string(), display_name: z.string().nullable() }),
    rows[0],
  );
  return { mergedType: r.hubspot_object_type, mergedId: r.hubspot_object_id, survivorId: r.survivor_id, customerId: r.qbo_entity_id, displayName: r.display_name };
}
