import { DEALBOOKS_SUBSCRIPTIONS, DEMO_APP_ID, DEMO_PORTAL_ID, type HubSpotSimulator } from './index';
import { api, control, startReceiver, startTestSimulator } from './shell-test-support';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('HubSpot simulator GDPR delete and contact.privacyDeletion', () => {
  let sim: HubSpotSimulator;
  let receiver: Receiver;
  let token: string;
  let contact: { id: string; email: string };

  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startTestSimulator({ webhookUrl: `${receiver.url}/webhooks/hubspot` });
    token = sim.seeded[0]!.accessToken;
    const first = sim.accounts.get(DEMO_PORTAL_ID)!.list('contacts')[0]!;
    contact = { id: first.id, email: first.properties.email! };
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const subscribeToPrivacyDeletion = () =>
    control(sim, `/apps/${DEMO_APP_ID}/webhooks`, { subscriptions: [...DEALBOOKS_SUBSCRIPTIONS, { subscriptionType: 'contact.privacyDeletion', active: true }] });
  const sentEvents = () => receiver.received.flatMap((r) => JSON.parse(r.rawBody) as Array<Record<string, unknown>>);

  it('When a user GDPR-deletes a contact in HubSpot, then the contact and its links are gone for good and a subscribed app gets contact.privacyDeletion', async () => {
    const subscribed = await subscribeToPrivacyDeletion();
    expect(subscribed.status).toBe(200);
    const subscriptionId = subscribed.body.webhooks.subscriptions.find((s: { subscriptionType: string }) => s.subscriptionType === 'contact.privacyDeletion').subscriptionId;
    const account = sim.accounts.get(DEMO_PORTAL_ID)!;
    const linkedDeals = account.associations.list('contacts', contact.id, 'deals').map((l) => l.toId);

    const before = sim.clock.nowMs();
    const res = await control(sim, `/hubspot/accounts/${DEMO_PORTAL_ID}/objects/contacts/${contact.id}/gdpr-delete`);
    const after = sim.clock.nowMs();
    expect(res.status).toBe(204);
    expect((await api(sim, `/crm/v3/objects/contacts/${contact.id}`, token)).status).toBe(404);
    expect((await api(sim, `/crm/v3/objects/contacts/${contact.id}?archived=true`, token)).status).toBe(404);
    for (const dealId of linkedDeals) expect(account.associations.list('deals', dealId, 'contacts').map((l) => l.toId)).not.toContain(contact.id);

    await sim.flushWebhooks();
    const events = sentEvents();
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0]!)).toEqual(['eventId', 'subscriptionId', 'portalId', 'appId', 'occurredAt', 'subscriptionType', 'attemptNumber', 'objectId', 'changeSource']);
    expect(events[0]).toEqual({
      eventId: expect.any(Number),
      subscriptionId,
      portalId: DEMO_PORTAL_ID,
      appId: DEMO_APP_ID,
      occurredAt: expect.any(Number),
      subscriptionType: 'contact.privacyDeletion',
      attemptNumber: 0,
      objectId: Number(contact.id),
      changeSource: 'CRM_UI',
    });
    expect(events[0]!.occurredAt).toBeGreaterThanOrEqual(before);
    expect(events[0]!.occurredAt).toBeLessThanOrEqual(after);
  });

  it('When an app calls gdpr-delete with idProperty email, then it gets 204 without a body and the event says INTEGRATION', async () => {
    await subscribeToPrivacyDeletion();
    const res = await fetch(`${sim.url}/crm/v3/objects/contacts/gdpr-delete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ idProperty: 'email', objectId: contact.email }),
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(sim.accounts.get(DEMO_PORTAL_ID)!.findByUnique('contacts', 'email', contact.email)).toBeUndefined();
    await sim.flushWebhooks();
    expect(sentEvents()).toEqual([expect.objectContaining({ subscriptionType: 'contact.privacyDeletion', objectId: Number(contact.id), changeSource: 'INTEGRATION' })]);
  });

  it('When gdpr-delete names an unknown id or no objectId, then it is a 404 or a 400 and nothing is deleted', async () => {
    const before = sim.accounts.get(DEMO_PORTAL_ID)!.list('contacts').length;
    const unknown = await api(sim, '/crm/v3/objects/contacts/gdpr-delete', token, { method: 'POST', body: { objectId: '1' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.category).toBe('OBJECT_NOT_FOUND');
    const missing = await api(sim, '/crm/v3/objects/contacts/gdpr-delete', token, { method: 'POST', body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.category).toBe('VALIDATION_ERROR');
    expect(sim.accounts.get(DEMO_PORTAL_ID)!.list('contacts')).toHaveLength(before);
  });

  it('When the app did not subscribe to contact.privacyDeletion, then a GDPR delete sends nothing', async () => {
    const res = await api(sim, '/crm/v3/objects/contacts/gdpr-delete', token, { method: 'POST', body: { objectId: contact.id } });
    expect(res.status).toBe(204);
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
  });

  it('When a subscription has an unknown type, then the webhook settings call is refused', async () => {
    const res = await control(sim, `/apps/${DEMO_APP_ID}/webhooks`, { subscriptions: [{ subscriptionType: 'contact.merge', active: true }] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(sim.apps.get(DEMO_APP_ID)!.webhooks.subscriptions).toHaveLength(DEALBOOKS_SUBSCRIPTIONS.length);
  });
});
