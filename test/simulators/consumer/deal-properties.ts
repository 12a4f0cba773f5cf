import type { Client } from '@hubspot/api-client';
import { PropertyCreateFieldTypeEnum as Field, PropertyCreateTypeEnum as Type, type PropertyCreate } from '@hubspot/api-client/lib/codegen/crm/properties';

/**
 * DealBooks' deal properties, created at install time the way the product will: create, and treat 409 (it already
 * exists) as success, so a re-install or a retried install job is harmless. Property shapes follow
 * hubspot-platform.md "CRM payload details" (type/fieldType pairs, enumeration options).
 */
export const DEALBOOKS_GROUP = { name: 'dealbooks', label: 'DealBooks', displayOrder: -1 };

const option = (label: string, value: string, displayOrder: number) => ({ label, value, displayOrder, hidden: false });

export const DEALBOOKS_PROPERTIES: PropertyCreate[] = [
  { name: 'dealbooks_invoice_number', label: 'QuickBooks invoice number', type: Type.String, fieldType: Field.Text, groupName: 'dealbooks' },
  {
    name: 'dealbooks_invoice_status',
    label: 'QuickBooks invoice status',
    type: Type.Enumeration,
    fieldType: Field.Select,
    groupName: 'dealbooks',
    options: [option('Draft', 'draft', 0), option('Sent', 'sent', 1), option('Partially paid', 'partially_paid', 2), option('Paid', 'paid', 3), option('Voided', 'voided', 4)],
  },
  { name: 'dealbooks_balance', label: 'QuickBooks balance', type: Type.Number, fieldType: Field.Number, groupName: 'dealbooks' },
  { name: 'dealbooks_invoice_url', label: 'QuickBooks invoice link', type: Type.String, fieldType: Field.Text, groupName: 'dealbooks' },
];

function isConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 409;
}

export async function ensureDealBooksProperties(client: Client): Promise<{ groupCreated: boolean; created: string[] }> {
  let groupCreated = true;
  try {
    await client.crm.properties.groupsApi.create('deals', DEALBOOKS_GROUP);
  } catch (error) {
    if (!isConflict(error)) throw error;
    groupCreated = false;
  }
  const created: string[] = [];
  for (const property of DEALBOOKS_PROPERTIES) {
    try {
      await client.crm.properties.coreApi.create('deals', property);
      created.push(property.name);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  return { groupCreated, created };
}
