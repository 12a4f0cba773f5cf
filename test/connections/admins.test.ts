import { signHubSpotV3 } from '../../server/src/security/hubspot-signature';
import { DEMO_USERS } from '../simulators/hubspot';
import { installDirect } from '../support/direct';
import { DATABASE_KIND } from '../support/harness';
import { startWorld, type World } from '../support/world';
import { useQ2C, type Q2C } from '../quote-to-cash/support';

/**
 * DealBooks admins, enforced by the server: the user who installs DealBooks is its first admin; only admins change
 * settings, mappings, the QuickBooks connection, the account's data and the admin list; every user of the account
 * may read. Deciding a deal's customer follows the `creators` setting instead (test/quote-to-cash/settings-page.test.ts).
 * Driven through signed requests as the settings page and the card send them.
 * The demo account's users (test/simulators/hubspot/crm/seed.ts): Ada installed DealBooks, Grace is a colleague.
 */
const ADA = DEMO_USERS.ada.userId;
const GRACE = DEMO_USERS.grace.userId;

/** A request HubSpot signed without naming a user (no userId in the query), sent straight to DealBooks. */
async function signedWithoutUser(world: World, portalId: number, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = `${world.baseUrl}${path}?portalId=${portalId}`;
  const raw = body === undefined ? '' : JSON.stringify(body);
  await world.clock.advance(1);
  const timestamp = world.clock.nowMs();
  const signature = signHubSpotV3({ clientSecret: world.ctx.config.hubspot.clientSecret!, method, url, rawBody: raw, timestamp });
  const response = await fetch(url, {
    method,
    headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': String(timestamp), ...(raw ? { 'content-type': 'application/json' } : {}) },
    body: raw || undefined,
  });
  return { status: response.status, body: await response.json() };
}

async function connectionRows(q: Q2C): Promise<number> {
  return Number((await q.world.ctx.pool.query(`SELECT count(*) AS n FROM qbo_connections WHERE portal_id = $1 AND status = 'connected'`, [q.portalId])).rows[0].n);
}

describe(`DealBooks admins (${DATABASE_KIND})`, () => {
  const q = useQ2C();

  it('When DealBooks is installed, then the installing user is its only admin, and the settings say who reads them and who may change them', async () => {
    const ada = await q.card('GET', '/api/settings', undefined, ADA);
    expect(ada.status).toBe(200);
    expect(ada.body.access).toEqual({ userId: String(ADA), isAdmin: true, admins: [String(ADA)], mayCreate: true });
    const grace = await q.card('GET', '/api/settings', undefined, GRACE);
    expect(grace.status).toBe(200);
    expect(grace.body.access).toEqual({ userId: String(GRACE), isAdmin: false, admins: [String(ADA)], mayCreate: true });
    // Reads stay open to every user: the same settings, read-only.
    expect(grace.body.settings).toEqual(ada.body.settings);
    for (const path of ['/api/mappings/products', '/api/customers/review', '/api/quickbooks/status', '/api/quickbooks/terms']) {
      expect([path, (await q.card('GET', path, undefined, GRACE)).status]).toEqual([path, 200]);
    }
  });

  it('When a user who is not an admin saves settings, then it is refused with 403 in words naming the admin to ask, and nothing is saved', async () => {
    const { body: before } = await q.card('GET', '/api/settings', undefined, GRACE);
    const put = await q.card('PUT', '/api/settings', { settings: { ...before.settings, autoInvoice: true }, version: before.version }, GRACE);
    expect(put.status).toBe(403);
    expect(put.body.error).toMatchObject({
      code: 'forbidden',
      message: `Only DealBooks admins can change settings. Ask an admin (HubSpot user ${ADA}) to add you, or to make the change.`,
    });
    const patch = await q.card('PATCH', '/api/settings', { settings: { autoInvoice: true }, version: before.version }, GRACE);
    expect(patch.status).toBe(403);
    const after = await q.card('GET', '/api/settings');
    expect(after.body).toMatchObject({ version: before.version, settings: before.settings });
  });

  it('When a user who is not an admin maps a product, connects or disconnects QuickBooks or deletes the account, then each is refused with 403 and nothing changes', async () => {
    const product = await q.create('products', { name: 'Admin-only widget', price: '10' });
    const attempts: Array<[string, string, unknown, RegExp]> = [
      ['PUT', `/api/mappings/products/${product.id}`, { itemId: '3' }, /^Only DealBooks admins can map products to QuickBooks items\./],
      ['POST', '/api/quickbooks/connect-url', undefined, /^Only DealBooks admins can connect QuickBooks\./],
      ['POST', '/api/quickbooks/disconnect', undefined, /^Only DealBooks admins can disconnect QuickBooks\./],
      ['POST', '/api/account/delete', { confirm: String(q.portalId) }, /^Only DealBooks admins can delete the DealBooks data of this account\./],
      ['PUT', '/api/settings/admins', { admins: [String(ADA), String(GRACE)] }, /^Only DealBooks admins can change who the DealBooks admins are\./],
    ];
    for (const [method, path, body, words] of attempts) {
      const answer = await q.card(method, path, body, GRACE);
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 403, 'forbidden']);
      expect(answer.body.error.message).toMatch(words);
    }
    expect((await q.card('GET', '/api/mappings/products')).body.mappings).toContainEqual(expect.objectContaining({ productId: product.id, itemId: null }));
    expect(await connectionRows(q)).toBe(1);
    expect((await q.card('GET', '/api/settings', undefined, ADA)).body.access.admins).toEqual([String(ADA)]);
    expect((await q.card('GET', '/api/quickbooks/status')).body).toMatchObject({ status: 'connected' });
  });

  it('When a signed request names no user, then it may read but is never an admin, not even for the installer’s account', async () => {
    const read = await signedWithoutUser(q.world, q.portalId, 'GET', '/api/settings');
    expect(read.status).toBe(200);
    expect(read.body.access).toEqual({ userId: null, isAdmin: false, admins: [String(ADA)], mayCreate: true });
    const save = await signedWithoutUser(q.world, q.portalId, 'PATCH', '/api/settings', { settings: { autoInvoice: true }, version: read.body.version });
    expect(save.status).toBe(403);
    expect(save.body.error.message).toMatch(/^Only DealBooks admins can change settings\. HubSpot did not say which user sent this request/);
    expect((await q.card('GET', '/api/settings')).body.version).toBe(read.body.version);
  });

  it('When an admin adds a colleague, then the colleague may change settings; an admin cannot remove themselves or leave the list empty (422), and a removed admin is refused', async () => {
    const added = await q.card('PUT', '/api/settings/admins', { admins: [String(ADA), String(GRACE), String(GRACE)] }, ADA);
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ access: { userId: String(ADA), isAdmin: true, admins: [String(ADA), String(GRACE)] } });
    const { body: read } = await q.card('GET', '/api/settings', undefined, GRACE);
    expect(read.access).toEqual({ userId: String(GRACE), isAdmin: true, admins: [String(ADA), String(GRACE)], mayCreate: true });
    const saved = await q.card('PATCH', '/api/settings', { settings: { memoTemplate: 'Thanks for {{dealName}}' }, version: read.version }, GRACE);
    expect(saved.status).toBe(200);

    const empty = await q.card('PUT', '/api/settings/admins', { admins: [] }, GRACE);
    expect(empty.status).toBe(422);
    expect(empty.body.error).toMatchObject({ code: 'no_admin_left', message: expect.stringMatching(/cannot be empty/) });
    // Per-field refusals share one details shape (lib/validation.ts fieldDetails): fields, and issues in order.
    expect(empty.body.error.details).toEqual({ fields: { admins: 'list at least one admin' }, issues: [{ path: 'admins', message: 'list at least one admin' }] });
    const self = await q.card('PUT', '/api/settings/admins', { admins: [String(ADA)] }, GRACE);
    expect(self.status).toBe(422);
    expect(self.body.error).toMatchObject({ code: 'cannot_remove_self', message: `You cannot remove yourself (HubSpot user ${GRACE}) from the DealBooks admins. Ask another admin to remove you.` });
    const keep = `keep yourself (${GRACE}) in the list; another admin can remove you`;
    expect(self.body.error.details).toEqual({ fields: { admins: keep }, issues: [{ path: 'admins', message: keep }] });
    const bad = await q.card('PUT', '/api/settings/admins', { admins: ['ada'] }, GRACE);
    expect(bad.status).toBe(400);
    // A HubSpot user id beyond JavaScript's safe integers could never sign a request: refused.
    const unsafe = await q.card('PUT', '/api/settings/admins', { admins: [String(GRACE), '9007199254740993'] }, GRACE);
    expect([unsafe.status, unsafe.body.error.details]).toEqual([400, [{ path: 'admins.1', message: 'expected a HubSpot user id (a whole number up to 9007199254740991)' }]]);
    expect((await q.card('GET', '/api/settings')).body.access.admins).toEqual([String(ADA), String(GRACE)]);

    // Grace removes Ada: Ada reads, but may no longer change anything.
    const removed = await q.card('PUT', '/api/settings/admins', { admins: [String(GRACE)] }, GRACE);
    expect(removed.body.access.admins).toEqual([String(GRACE)]);
    const { body: now } = await q.card('GET', '/api/settings', undefined, ADA);
    expect(now.access).toEqual({ userId: String(ADA), isAdmin: false, admins: [String(GRACE)], mayCreate: true });
    const refused = await q.card('PATCH', '/api/settings', { settings: { autoInvoice: true }, version: now.version }, ADA);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(`Only DealBooks admins can change settings. Ask an admin (HubSpot user ${GRACE}) to add you, or to make the change.`);
    // Put back for the other tests.
    expect((await q.card('PUT', '/api/settings/admins', { admins: [String(ADA)] }, GRACE)).status).toBe(422);
    expect((await q.card('PUT', '/api/settings/admins', { admins: [String(GRACE), String(ADA)] }, GRACE)).status).toBe(200);
  });

  it('When someone who is not an admin sends a malformed admin list, then it is refused with 403 (not 400): who may change the list is checked first', async () => {
    // A user of the account who is not on the list (Grace may be by now: the test before adds her).
    const colleague = 9_100_099;
    expect((await q.card('GET', '/api/settings', undefined, colleague)).body.access.isAdmin).toBe(false);
    const answer = await q.card('PUT', '/api/settings/admins', { admins: 'everyone', extra: true }, colleague);
    expect([answer.status, answer.body.error.code]).toEqual([403, 'forbidden']);
    expect(answer.body.error.message).toMatch(/^Only DealBooks admins can change who the DealBooks admins are\./);
  });

  it('When two admins remove each other at the same moment, then one change wins and the other is refused with 403: the account keeps an admin', async () => {
    expect((await q.card('PUT', '/api/settings/admins', { admins: [String(ADA), String(GRACE)] }, ADA)).status).toBe(200);
    try {
      const [byAda, byGrace] = await Promise.all([
        q.card('PUT', '/api/settings/admins', { admins: [String(ADA)] }, ADA),
        q.card('PUT', '/api/settings/admins', { admins: [String(GRACE)] }, GRACE),
      ]);
      expect([byAda!.status, byGrace!.status].sort()).toEqual([200, 403]);
      const winner = byAda!.status === 200 ? ADA : GRACE;
      const loser = winner === ADA ? byGrace! : byAda!;
      expect(loser.body.error.code).toBe('forbidden');
      expect((await q.card('GET', '/api/settings', undefined, winner)).body.access).toMatchObject({ isAdmin: true, admins: [String(winner)] });
    } finally {
      // Put back for the other tests: Ada alone.
      const admins = (await q.card('GET', '/api/settings', undefined, ADA)).body.access.admins as string[];
      if (!admins.includes(String(ADA))) expect((await q.card('PUT', '/api/settings/admins', { admins: [String(GRACE), String(ADA)] }, GRACE)).status).toBe(200);
      expect((await q.card('PUT', '/api/settings/admins', { admins: [String(ADA)] }, ADA)).status).toBe(200);
    }
  });

  it('When an account has no admin on record (installed before admins, no installer known), then nobody becomes admin by opening the settings, and installing DealBooks again makes the installer its admin', async () => {
    await q.world.ctx.pool.query('DELETE FROM portal_admins WHERE portal_id = $1', [q.portalId]);
    const first = await q.card('GET', '/api/settings', undefined, GRACE);
    expect(first.body.access).toEqual({ userId: String(GRACE), isAdmin: false, admins: [], mayCreate: true });
    const refused = await q.card('PATCH', '/api/settings', { settings: { autoInvoice: true }, version: first.body.version }, GRACE);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/This account has no DealBooks admin yet: a HubSpot user who installs DealBooks again in this account \(its data is kept\) becomes its admin\./);
    expect((await q.card('GET', '/api/settings', undefined, ADA)).body.access.isAdmin).toBe(false);

    await q.world.control('hubspot', '/oauth/consent', { portalId: q.portalId, userId: GRACE, userEmail: DEMO_USERS.grace.userEmail });
    expect(await installDirect(q.world)).toBe(q.portalId);
    expect((await q.card('GET', '/api/settings', undefined, GRACE)).body.access).toEqual({ userId: String(GRACE), isAdmin: true, admins: [String(GRACE)], mayCreate: true });
    expect(await connectionRows(q)).toBe(1);
  });
});

describe(`The deal card offers connecting QuickBooks to admins only (${DATABASE_KIND})`, () => {
  let world: World | undefined;
  let portalId: number;
  beforeAll(async () => {
    world = await startWorld();
    portalId = await installDirect(world);
  });
  afterAll(() => world?.close());

  it('When QuickBooks is not connected, then an admin is offered "connect" and another user sees the state and whom to ask, with no action', async () => {
    const card = (userId: number) => world!.card({ portalId, method: 'GET', path: '/api/deals/1/summary', userId });
    const admin = await card(ADA);
    expect(admin.status).toBe(200);
    expect(admin.body.connection).toMatchObject({ state: 'not_connected', message: 'QuickBooks is not connected. Connect it in DealBooks settings.' });
    expect(admin.body.allowedActions).toEqual(['connect_quickbooks']);
    const other = await card(GRACE);
    expect(other.body.connection).toMatchObject({ state: 'not_connected', message: 'QuickBooks is not connected. Ask a DealBooks admin to connect QuickBooks.' });
    expect(other.body.allowedActions).toEqual([]);
  });
});
