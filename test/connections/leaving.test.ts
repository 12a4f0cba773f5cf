import { PRIVACY_DELETION_QUEUE, COMPANY_FACTS_QUEUE } from '../../server/src/jobs/connection-jobs';
import { DEMO_PORTAL_ID } from '../simulators/hubspot';
import { captureLogger, DATABASE_KIND, eventually } from '../support/harness';
import { connectDirect, installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';

/**
 * Leaving DealBooks and privacy deletion: what an admin and a data subject are promised. Everything DealBooks holds
 * goes (after revoking QuickBooks and uninstalling from HubSpot), another account's data stays, and the logs say
 * what happened without personal data.
 */
const OTHER_PORTAL = 62515002;

async function countRows(world: World, portalId: number): Promise<Record<string, number>> {
  const q = async (sql: string) => Number((await world.ctx.pool.query(sql, [portalId])).rows[0].n);
  return {
    portals: await q('SELECT count(*) AS n FROM portals WHERE portal_id = $1'),
    credentials: await q('SELECT count(*) AS n FROM hubspot_credentials WHERE portal_id = $1'),
    connections: await q('SELECT count(*) AS n FROM qbo_connections WHERE portal_id = $1'),
    links: await q('SELECT count(*) AS n FROM entity_links WHERE portal_id = $1'),
    syncLog: await q('SELECT count(*) AS n FROM sync_log WHERE portal_id = $1'),
    events: await q('SELECT count(*) AS n FROM webhook_events WHERE portal_id = $1'),
    deliveries: await q('SELECT count(*) AS n FROM webhook_deliveries WHERE portal_ids && ARRAY[$1::bigint]'),
    jobs: await q(`SELECT count(*) AS n FROM pgboss.job WHERE data->>'portalId' = $1::text`),
  };
}

async function seedActivity(world: World, portalId: number): Promise<void> {
  const { rows } = await world.ctx.pool.query('SELECT id FROM qbo_connections WHERE portal_id = $1', [portalId]);
  await world.ctx.pool.query(
    `INSERT INTO entity_links (portal_id, connection_id, hubspot_object_type, hubspot_object_id, qbo_entity_type, qbo_entity_id, qbo_request_id, status)
     VALUES ($1, $2, 'contact', '501', 'Customer', '58', 'req-contact-501', 'linked'), ($1, $2, 'deal', '9001', 'Invoice', '130', 'req-deal-9001', 'linked')`,
    [portalId, rows[0].id],
  );
  await world.ctx.pool.query(
    `INSERT INTO sync_log (portal_id, level, action, outcome, message, hubspot_object_type, hubspot_object_id)
     VALUES ($1, 'info', 'link_customer', 'succeeded', 'Linked to QuickBooks customer Amy''s Bird Sanctuary', 'contact', '501'),
            ($1, 'info', 'create_invoice', 'succeeded', 'Invoice 1042 created', 'deal', '9001')`,
    [portalId],
  );
  await world.ctx.jobs.send(COMPANY_FACTS_QUEUE, { portalId });
}

describe(`leaving DealBooks (${DATABASE_KIND})`, () => {
  let world: World;
  let logs: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    logs = captureLogger('debug');
    world = await startWorld({ logger: logs.logger });
  });
  afterEach(() => world.close());

  it('When an admin deletes the account, then QuickBooks is revoked, the app uninstalled, every row of the account gone and another account untouched', async () => {
    const portalId = await installDirect(world);
    const { realmId } = await connectDirect(world, portalId);
    await seedActivity(world, portalId);
    // A real webhook delivery for the account lands in the inbox.
    const deals = await world.control('hubspot', `/hubspot/accounts/${portalId}/objects/deals`);
    const deal = (deals.results ?? deals)[0];
    await fetch(`${world.sandbox.hubspot.url}/_sim/hubspot/accounts/${portalId}/objects/deals/${deal.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { dealstage: 'closedwon' } }),
    });
    await world.control('hubspot', '/webhooks/flush', {});
    await eventually(async () => ((await countRows(world, portalId)).deliveries ?? 0) > 0, { what: "the webhook delivery" });

    await world.control('hubspot', '/oauth/consent', { portalId: OTHER_PORTAL });
    const other = await installDirect(world);
    expect(other).toBe(OTHER_PORTAL);
    const otherBefore = await countRows(world, other);

    const refused = await world.card({ portalId, method: 'POST', path: '/api/account/delete', body: { confirm: 'yes' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain(String(portalId));
    expect((await countRows(world, portalId)).portals).toBe(1);

    const answer = await world.card({ portalId, method: 'POST', path: '/api/account/delete', body: { confirm: String(portalId) } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ deleted: true, quickbooks: 'revoked', hubspot: 'uninstalled', todo: [] });

    expect(await countRows(world, portalId)).toEqual({ portals: 0, credentials: 0, connections: 0, links: 0, syncLog: 0, events: 0, deliveries: 0, jobs: 0 });
    expect(await countRows(world, other)).toEqual(otherBefore);
    const { grants } = await world.control('quickbooks', '/oauth/grants');
    expect(grants.filter((g: any) => g.realmId === realmId).every((g: any) => g.revoked)).toBe(true);
    const { installs } = await world.control('hubspot', '/oauth/installs');
    expect(installs.map((i: any) => i.portalId)).not.toContain(portalId);
    expect(installs.map((i: any) => i.portalId)).toContain(OTHER_PORTAL);

    // The account is gone for DealBooks: its signed requests are refused.
    const after = await world.card({ portalId, method: 'GET', path: '/api/quickbooks/status' });
    expect(after.status).toBe(403);
    const line = logs.entries().find((e) => e.msg === 'account left DealBooks: all its data deleted');
    expect(line).toMatchObject({ portalId, quickbooks: 'revoked', hubspot: 'uninstalled' });
  });

  it('When QuickBooks cannot be reached while leaving, then the data is still deleted and the answer says what to do by hand', async () => {
    const portalId = await installDirect(world);
    await connectDirect(world, portalId);
    await world.control('quickbooks', '/faults', { path: '/v2/oauth2/tokens/revoke', method: 'POST', kind: 'status', status: 503, times: 10 });
    const saved = { ...(await import('intuit-oauth')).default.retryConfig };
    const OAuthClient = (await import('intuit-oauth')).default;
    OAuthClient.retryConfig.retryDelay = 1;
    try {
      const answer = await world.card({ portalId, method: 'POST', path: '/api/account/delete', body: { confirm: portalId } });
      expect(answer.status).toBe(200);
      expect(answer.body.quickbooks).toBe('revoke_failed');
      expect(answer.body.todo.join(' ')).toMatch(/Remove DealBooks in QuickBooks/);
      expect((await countRows(world, portalId)).portals).toBe(0);
    } finally {
      Object.assign(OAuthClient.retryConfig, saved);
    }
  });

  it('When HubSpot sends contact.privacyDeletion, then what DealBooks holds about that contact is erased and nothing else', async () => {
    const portalId = await installDirect(world);
    await connectDirect(world, portalId);
    await seedActivity(world, portalId);
    expect(portalId).toBe(DEMO_PORTAL_ID);
    const contacts = await world.control('hubspot', `/hubspot/accounts/${portalId}/objects/contacts`);
    const contact = (contacts.results ?? contacts)[0];
    await world.ctx.pool.query(`UPDATE entity_links SET hubspot_object_id = $2 WHERE portal_id = $1 AND hubspot_object_type = 'contact'`, [portalId, contact.id]);
    await world.ctx.pool.query(`UPDATE sync_log SET hubspot_object_id = $2 WHERE portal_id = $1 AND hubspot_object_type = 'contact'`, [portalId, contact.id]);

    const deleted = await fetch(`${world.sandbox.hubspot.url}/_sim/hubspot/accounts/${portalId}/objects/contacts/${contact.id}/gdpr-delete`, { method: 'POST' });
    expect(deleted.status).toBe(204);
    await world.control('hubspot', '/webhooks/flush', {});
    await eventually(
      async () => (await world.ctx.pool.query(`SELECT 1 FROM webhook_events WHERE event_type = 'contact.privacyDeletion' AND object_id = $1`, [contact.id])).rowCount,
      { what: 'the privacy deletion event' },
    );
    expect(await world.ctx.jobs.runNext(PRIVACY_DELETION_QUEUE)).toBe('completed');

    const about = async (table: string, type: string, id: string) =>
      Number((await world.ctx.pool.query(`SELECT count(*) AS n FROM ${table} WHERE portal_id = $1 AND hubspot_object_type = $2 AND hubspot_object_id = $3`, [portalId, type, id])).rows[0].n);
    expect(await about('entity_links', 'contact', contact.id)).toBe(0);
    expect(await about('sync_log', 'contact', contact.id)).toBe(0);
    expect(await about('entity_links', 'deal', '9001')).toBe(1);
    expect(await about('sync_log', 'deal', '9001')).toBe(1);
    const done = logs.entries().find((e) => e.msg === 'privacy deletion of a contact done');
    expect(done).toMatchObject({ portalId, removed: { links: 1, syncLog: 1 } });
    // Logged without personal data: neither the contact's id nor its e-mail appears anywhere in the logs.
    expect(logs.text()).not.toContain(`"${contact.id}"`);
    if (contact.properties?.email) expect(logs.text()).not.toContain(contact.properties.email);
  });
});
