import { DEALBOOKS_SUBSCRIPTIONS, DEMO_APP_ID, DEMO_PORTAL_ID, lifecycleSubscriptions, type HubSpotSimulator } from './index';
import { api, control, startReceiver, startTestSimulator } from './shell-test-support';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * object.deletion / object.restore / object.merge deliveries (payload fields:
 * https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks and
 * https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions; shapes in webhooks.ts).
 */
describe('HubSpot simulator webhooks: deletion, restore and merge', () => {
  let sim: HubSpotSimulator;
  let receiver: Receiver;
  let token: string;

  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startTestSimulator({ webhookUrl: `${receiver.url}/webhooks/hubspot` });
    token = sim.seeded[0]!.accessToken;
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const sent = () => receiver.received.flatMap((r) => JSON.parse(r.rawBody) as Array<Record<string, unknown>>);
  const subscribe = (subscriptions: object[]) => control(sim, `/apps/${DEMO_APP_ID}/webhooks`, { subscriptions });
  const dealNamed = (name: string) => sim.accounts.get(DEMO_PORTAL_ID)!.list('deals').find((d) => d.properties.dealname === name)!.id;
  const subscriptionId = (type: string, objectType = 'deal') =>
    sim.apps.get(DEMO_APP_ID)!.webhooks.subscriptions.find((s) => s.subscriptionType === type && 'objectType' in s && s.objectType === objectType)!.subscriptionId;

  it("When the app has only DealBooks' default subscriptions (deal deletion, not company), then deleting a company sends nothing and deleting a deal sends its deletion", async () => {
    expect(sim.apps.get(DEMO_APP_ID)!.webhooks.subscriptions.map((s) => s.subscriptionType)).toEqual(DEALBOOKS_SUBSCRIPTIONS.map((s) => s.subscriptionType));
    const company = sim.accounts.get(DEMO_PORTAL_ID)!.list('companies')[0]!.id;
    expect((await api(sim, `/crm/v3/objects/companies/${company}`, token, { method: 'DELETE' })).status).toBe(204);
    await sim.flushWebhooks();
    expect(sent()).toEqual([]);
    expect((await api(sim, `/crm/v3/objects/deals/${dealNamed('Northwind - Feasibility study')}`, token, { method: 'DELETE' })).status).toBe(204);
    await sim.flushWebhooks();
    expect(sent().map((e) => e.subscriptionType)).toEqual(['object.deletion']);
  });

  it('When a subscribed app deletes a deal over the API, then it gets object.deletion from itself, in the event key order', async () => {
    await subscribe([...DEALBOOKS_SUBSCRIPTIONS, ...lifecycleSubscriptions()]);
    const dealId = dealNamed('Northwind - Feasibility study');
    await api(sim, `/crm/v3/objects/deals/${dealId}`, token, { method: 'DELETE' });
    await sim.flushWebhooks();
    const [event] = sent();
    expect(Object.keys(event!)).toEqual(['eventId', 'subscriptionId', 'portalId', 'appId', 'occurredAt', 'subscriptionType', 'attemptNumber', 'objectId', 'objectTypeId', 'changeSource', 'sourceId']);
    expect(event).toMatchObject({
      subscriptionId: subscriptionId('object.deletion'),
      portalId: DEMO_PORTAL_ID,
      appId: DEMO_APP_ID,
      subscriptionType: 'object.deletion',
      attemptNumber: 0,
      objectId: Number(dealId),
      objectTypeId: '0-3',
      changeSource: 'INTEGRATION',
      sourceId: String(DEMO_APP_ID),
    });
  });

  it('When a user deletes and restores a company, then the app gets object.deletion and object.restore from the user', async () => {
    await subscribe(lifecycleSubscriptions(['company']));
    const companyId = sim.accounts.get(DEMO_PORTAL_ID)!.list('companies')[0]!.id;
    expect((await control(sim, `/hubspot/accounts/${DEMO_PORTAL_ID}/objects/companies/${companyId}/delete`)).status).toBe(204);
    expect((await control(sim, `/hubspot/accounts/${DEMO_PORTAL_ID}/objects/companies/${companyId}/restore`)).status).toBe(200);
    await sim.flushWebhooks();
    expect(sent().map((e) => [e.subscriptionType, e.objectId, e.objectTypeId, e.changeSource, e.sourceId])).toEqual([
      ['object.deletion', Number(companyId), '0-2', 'CRM_UI', 'userId:9100001'],
      ['object.restore', Number(companyId), '0-2', 'CRM_UI', 'userId:9100001'],
    ]);
  });

  it('When an app merges two deals, then it gets object.merge with the merge fields, then a deletion per record gone', async () => {
    await subscribe(lifecycleSubscriptions(['deal']));
    const primary = dealNamed('Northwind - Feasibility study');
    const other = dealNamed('ABC LLC - Schematic design');
    const merged = await api(sim, '/crm/v3/objects/deals/merge', token, { method: 'POST', body: { primaryObjectId: primary, objectIdToMerge: other } });
    expect(merged.status).toBe(200);
    await sim.flushWebhooks();
    const [merge, ...deletions] = sent();
    expect(merge).toEqual({
      eventId: expect.any(Number),
      subscriptionId: subscriptionId('object.merge'),
      portalId: DEMO_PORTAL_ID,
      appId: DEMO_APP_ID,
      occurredAt: expect.any(Number),
      subscriptionType: 'object.merge',
      attemptNumber: 0,
      objectId: Number(primary),
      objectTypeId: '0-3',
      changeSource: 'INTEGRATION',
      sourceId: String(DEMO_APP_ID),
      primaryObjectId: Number(primary),
      mergedObjectIds: [Number(other)],
      newObjectId: Number(merged.body.id),
      numberOfPropertiesMoved: expect.any(Number),
    });
    expect(deletions.map((e) => [e.subscriptionType, e.objectId])).toEqual([['object.deletion', Number(primary)], ['object.deletion', Number(other)]]);
  });

  it('When only deals are subscribed, then a user merging contacts sends nothing', async () => {
    await subscribe(lifecycleSubscriptions(['deal']));
    const [a, b] = sim.accounts.get(DEMO_PORTAL_ID)!.list('contacts');
    expect((await control(sim, `/hubspot/accounts/${DEMO_PORTAL_ID}/objects/contacts/merge`, { primaryObjectId: a!.id, objectIdToMerge: b!.id })).status).toBe(200);
    await sim.flushWebhooks();
    expect(sent()).toEqual([]);
  });

  it('When the simulator starts with fidelity options, then deliveries follow them', async () => {
    await sim.close();
    sim = await startTestSimulator({ webhookUrl: `${receiver.url}/webhooks/hubspot`, fidelity: { mergeSurvivor: 'primary', deletionOnMerge: false } });
    token = sim.seeded[0]!.accessToken;
    await subscribe(lifecycleSubscriptions(['deal']));
    const primary = dealNamed('Northwind - Feasibility study');
    const other = dealNamed('ABC LLC - Schematic design');
    await api(sim, '/crm/v3/objects/deals/merge', token, { method: 'POST', body: { primaryObjectId: primary, objectIdToMerge: other } });
    await sim.flushWebhooks();
    expect(sent().map((e) => [e.subscriptionType, e.newObjectId])).toEqual([['object.merge', Number(primary)]]);
  });
});
