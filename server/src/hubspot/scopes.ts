/**
 * The scopes DealBooks asks for at install: exactly `requiredScopes` of hubspot-app/src/app/app-hsmeta.json (a test
 * keeps the two equal). Reference "OAuth for marketplace apps": ask for no more.
 */
export const HUBSPOT_REQUIRED_SCOPES = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.line_items.read',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.products.read',
  'crm.schemas.deals.write',
] as const;
