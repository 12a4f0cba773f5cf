import type { HubSpotAccount } from './account';
import type { ObjectTypeName } from './object-types';

/** The id of a seeded record, found by its name property (tests never hard-code ids). */
export function idByName(account: HubSpotAccount, type: ObjectTypeName, name: string): string {
  const property = type === 'deals' ? 'dealname' : type === 'contacts' ? 'email' : 'name';
  const found = account.list(type).find((o) => o.properties[property] === name);
  if (!found) throw new Error(`no ${type} named ${name} in the seed`);
  return found.id;
}

export const ISO_WITH_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
