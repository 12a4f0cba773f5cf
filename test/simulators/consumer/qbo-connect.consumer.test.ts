import OAuthClient from 'intuit-oauth';
import { SimClock } from '../common/clock';
import * as Qbo from '../quickbooks';
import { connectQbo, control, intuitClient, qboApi, saveIntuitStatics } from './consumer-support';

/**
 * DealBooks' "connect QuickBooks" piece of work, through intuit-oauth 4.2.5 exactly as the product will use it:
 * connect, read the company's settings, survive token expiry and rotation, disconnect, and tell a throttle, an
 * outage and a hang apart.
 */
let clock: SimClock;
let sim: Qbo.QuickbooksSimulator;
const restoreStatics = saveIntuitStatics();

beforeEach(async () => {
  clock = new SimClock({ freeze: true });
  sim = await Qbo.startQuickbooksSimulator({ clock });
});
afterEach(async () => sim.close());
afterAll(restoreStatics);

describe('QBO connect through intuit-oauth', () => {
  it('When DealBooks connects, then it learns the realm and reads name, home currency, multicurrency, book close date and custom numbering', async () => {
    const { client, realmId } = await connectQbo(sim);
    expect(realmId).toBe(Qbo.DEMO_REALM_ID);
    expect(client.getToken()).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8726400 });
    const api = qboApi(client, sim.url, realmId);

    const { CompanyInfo: info } = await api.get(`/companyinfo/${realmId}`);
    // CompanyInfo's own Id is "1", not the realm id (fixture companyinfo_read_response.json).
    expect(info).toMatchObject({ Id: '1', CompanyName: 'DealBooks Demo Co', Country: 'US', SyncToken: expect.any(String) });

    const { Preferences: prefs } = await api.get('/preferences');
    expect(prefs.CurrencyPrefs.HomeCurrency.value).toBe('USD');
    expect(prefs.CurrencyPrefs.MultiCurrencyEnabled).toBe(false);
    expect(prefs.SalesFormsPrefs.CustomTxnNumbers).toBe(false);
    expect(prefs.AccountingInfoPrefs.BookCloseDate).toBeUndefined();
    expect(prefs.SalesFormsPrefs.DefaultTerms).toMatchObject({ value: '3' });
    // The custom field DealBooks writes the deal id into: SalesCustomName<n> names it, UseSalesCustom<n> turns it on,
    // and <n> is the DefinitionId (nested shape of fixture preferences_read_response.json).
    const settings = (prefs.SalesFormsPrefs.CustomField as Array<{ CustomField: Array<{ Name: string; StringValue?: string; BooleanValue?: boolean }> }>).flatMap((g) => g.CustomField);
    const named = settings.find((f) => f.StringValue === 'Deal ID');
    const definitionId = named?.Name.replace('SalesFormsPrefs.SalesCustomName', '');
    expect(definitionId).toBe('1');
    expect(settings.find((f) => f.Name === `SalesFormsPrefs.UseSalesCustom${definitionId}`)?.BooleanValue).toBe(true);
  });

  it('When a bookkeeper closes the books, then Preferences shows the BookCloseDate DealBooks must respect', async () => {
    const { client, realmId } = await connectQbo(sim);
    const patched = await control(sim.url, `/_sim/quickbooks/companies/${realmId}/preferences`, { AccountingInfoPrefs: { BookCloseDate: '2026-06-30' } }, 'PATCH');
    expect(patched.status).toBe(200);
    const { Preferences: prefs } = await qboApi(client, sim.url, realmId).get('/preferences');
    expect(prefs.AccountingInfoPrefs.BookCloseDate).toBe('2026-06-30');
  });

  it('When the access token expires, then makeApiCall fails with 401, refresh() rotates the refresh token and the retry works', async () => {
    const { client, realmId } = await connectQbo(sim);
    const api = qboApi(client, sim.url, realmId);
    const firstRefresh = client.getToken().refresh_token;

    await clock.advance(3600 * 1000);
    await expect(api.get(`/companyinfo/${realmId}`)).rejects.toMatchObject({ code: '401' });

    await client.refresh();
    const rotated = client.getToken().refresh_token;
    expect(rotated).not.toBe(firstRefresh);
    expect((await api.get(`/companyinfo/${realmId}`)).CompanyInfo.CompanyName).toBe('DealBooks Demo Co');

    // A crash between refresh and save: the old refresh token still works within the 24 h grace and hands back the
    // grant's current pair, so DealBooks can recover without a reconnect.
    const recovered = await intuitClient(sim).refreshUsingToken(firstRefresh);
    expect(recovered.getToken().refresh_token).toBe(rotated);

    // After the grace the replaced token is dead: invalid_grant, which means "reconnect", never retry.
    await clock.advance(24 * 3600 * 1000 + 1000);
    await expect(intuitClient(sim).refreshUsingToken(firstRefresh)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('When DealBooks disconnects with revoke(), then the API answers 401 and refresh fails with invalid_grant', async () => {
    const { client, realmId } = await connectQbo(sim);
    const api = qboApi(client, sim.url, realmId);
    const { refresh_token: refreshToken } = client.getToken();
    await client.revoke();
    await expect(api.get(`/companyinfo/${realmId}`)).rejects.toMatchObject({ code: '401' });
    await expect(intuitClient(sim).refreshUsingToken(refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('When the user denies consent, then the callback has error=access_denied and createToken is never possible', async () => {
    await control(sim.url, '/_sim/oauth/consent', { deny: true });
    const client = intuitClient(sim);
    const response = await fetch(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: 's1' }), { redirect: 'manual' });
    const callback = new URL(response.headers.get('location') ?? '');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });
});
