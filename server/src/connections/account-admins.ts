import type pg from 'pg';
import type { Clock } from '../clock';
import { addAdmin, listAdmins, lockAdmins, replaceAdmins } from '../db/portal-admins';
import { withTransaction } from '../db/transaction';
import { ForbiddenError } from '../errors';
import { invalidFields } from '../lib/validation';

/**
 * DealBooks admins: the HubSpot users of an account who may change what DealBooks does there. The list starts with
 * the user who installed DealBooks; admins add and remove others. Everyone else in the account may read (the
 * settings page shows them the settings read-only). A request that names no user is never an admin's: HubSpot
 * always signs the user of a settings page or card request, so a request without one cannot be tied to a person.
 *
 * An account with no admin (installed before admins existed, with no installer on record) stays without one until a
 * HubSpot user installs DealBooks again there (a reinstall keeps all data): the installer becomes its admin. Nobody
 * becomes admin merely by opening the settings first, which would hand the account to whoever came first.
 */
export interface AccountAccess {
  userId: string | null;
  isAdmin: boolean;
  admins: string[];
}

interface Who {
  portalId: number;
  userId?: number;
}

export async function accountAccess(pool: pg.Pool, who: Who): Promise<AccountAccess> {
  const admins = await listAdmins(pool, who.portalId);
  const userId = who.userId === undefined ? null : String(who.userId);
  return { userId, isAdmin: userId !== null && admins.includes(userId), admins };
}

/**
 * Refuses a change by anyone but an admin: 403 with what they tried (`what`, e.g. "change settings") and whom to ask.
 */
export async function requireAdmin(pool: pg.Pool, who: Who, what: string): Promise<void> {
  const access = await accountAccess(pool, who);
  if (access.isAdmin) return;
  throw new ForbiddenError(notAdminMessage(access, what), { details: { reason: 'not_admin', admins: access.admins } });
}

export function notAdminMessage(access: Pick<AccountAccess, 'userId' | 'admins'>, what: string): string {
  const first = `Only DealBooks admins can ${what}.`;
  if (access.userId === null) return `${first} HubSpot did not say which user sent this request, so DealBooks cannot tell whether you are one.`;
  if (access.admins.length === 0) {
    return `${first} This account has no DealBooks admin yet: a HubSpot user who installs DealBooks again in this account (its data is kept) becomes its admin.`;
  }
  const named = access.admins.length === 1 ? `an admin (HubSpot user ${access.admins[0]})` : `an admin (HubSpot users ${access.admins.join(', ')})`;
  return `${first} Ask ${named} to add you, or to make the change.`;
}

/** The installer of DealBooks is an admin of the account (a first install, or a reinstall by another user). */
export async function addInstaller(db: pg.Pool | pg.PoolClient, portalId: number, userId: number | null, now: Date): Promise<void> {
  if (userId === null || userId <= 0) return;
  await addAdmin(db, portalId, String(userId), null, now);
}

/**
 * An admin replaces the list. Refused (422) when it would leave no admin, or would remove the admin making the
 * change: an admin leaves by asking another admin, so nobody locks themselves out by a slip of the finger and the
 * account always keeps someone who knows the list changed. Changes of the list take turns on the account's row.
 */
export async function changeAdmins(deps: { pool: pg.Pool; clock: Clock }, who: Who, admins: readonly string[]): Promise<AccountAccess> {
  await requireAdmin(deps.pool, who, 'change who the DealBooks admins are');
  const me = String(who.userId);
  const wanted = [...new Set(admins)];
  if (wanted.length === 0) {
    throw invalidFields('The list of DealBooks admins cannot be empty: someone must be able to change the settings.', [{ path: 'admins', message: 'list at least one admin' }], 'no_admin_left');
  }
  if (!wanted.includes(me)) {
    throw invalidFields(
      `You cannot remove yourself (HubSpot user ${me}) from the DealBooks admins. Ask another admin to remove you.`,
      [{ path: 'admins', message: `keep yourself (${me}) in the list; another admin can remove you` }],
      'cannot_remove_self',
    );
  }
  await withTransaction(deps.pool, async (client) => {
    // Checked again on the locked list: an admin removed by another admin a moment ago changes nothing.
    const current = await lockAdmins(client, who.portalId);
    if (!current.includes(me)) throw new ForbiddenError(notAdminMessage({ userId: me, admins: current }, 'change who the DealBooks admins are'), { details: { reason: 'not_admin', admins: current } });
    await replaceAdmins(client, who.portalId, wanted, me, deps.clock.now());
  });
  return accountAccess(deps.pool, who);
}
