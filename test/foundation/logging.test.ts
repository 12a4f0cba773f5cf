import { Router } from 'express';
import request from 'supertest';
import { createHttpApp, loggableUrl } from '../../server/src/http/app';
import { scrubSecrets } from '../../server/src/logger';
import { captureLogger } from '../support/harness';

const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.access-token-value-123';
const REFRESH = 'AB11704403816refreshTokenValue';
const SECRET = 'client-secret-value-xyz';

describe('logs never hold a token or a secret', () => {
  it('When objects with credentials are logged at any depth, then their values are redacted', () => {
    const captured = captureLogger();
    captured.logger.info(
      {
        access_token: ACCESS,
        tokens: { refresh_token: REFRESH, accessToken: ACCESS },
        connection: { oauth: { client_secret: SECRET, refreshToken: REFRESH } },
        headers: { authorization: `Bearer ${ACCESS}`, 'intuit-signature': 'sig-value' },
        realmId: '9130',
      },
      'token refreshed',
    );
    const text = captured.text();
    for (const secret of [ACCESS, REFRESH, SECRET, 'sig-value']) expect(text).not.toContain(secret);
    expect(captured.entries()[0]).toMatchObject({ realmId: '9130', access_token: '[Redacted]' });
  });

  it('When a credential slips into free text (a library error message), then the line is scrubbed', () => {
    const captured = captureLogger();
    const err = new Error(`request failed: Authorization: Bearer ${ACCESS} body refresh_token=${REFRESH}&x=1`);
    captured.logger.error({ err }, `retrying with "access_token":"${ACCESS}"`);
    const text = captured.text();
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
    expect(text).toContain('Bearer [Redacted]');
  });

  it('When ordinary fields look similar (statusCode, code), then they are left alone', () => {
    expect(scrubSecrets('{"statusCode":404,"code":"not_found","tokenCount":3}')).toBe('{"statusCode":404,"code":"not_found","tokenCount":3}');
  });

  it('When an OAuth callback URL is logged, then code and state values are hidden', () => {
    expect(loggableUrl('/oauth/quickbooks/callback?code=AB11&state=s1&realmId=9130')).toBe(
      '/oauth/quickbooks/callback?code=%5BRedacted%5D&state=%5BRedacted%5D&realmId=9130',
    );
  });

  it('When a signed card request is logged, then the user e-mail HubSpot appends is hidden and the ids stay', () => {
    expect(loggableUrl('/api/quickbooks/status?portalId=62515001&userId=7&userEmail=amy%40example.com&appId=4242')).toBe(
      '/api/quickbooks/status?portalId=62515001&userId=7&userEmail=%5BRedacted%5D&appId=4242',
    );
  });

  it('When requests carry credentials in headers and query, then the request log holds none of them', async () => {
    const captured = captureLogger();
    const router = Router();
    router.get('/oauth/callback', (_req, res) => {
      res.status(500).json({});
    });
    const app = createHttpApp({ logger: captured.logger, readiness: async () => ({ ready: true, checks: {} }), routers: [router] });
    await request(app)
      .get(`/oauth/callback?code=${REFRESH}&state=${SECRET}`)
      .set('authorization', `Bearer ${ACCESS}`)
      .set('cookie', `session=${SECRET}`)
      .set('x-hubspot-signature-v3', 'hs-signature-value')
      .expect(500);
    const text = captured.text();
    for (const secret of [ACCESS, REFRESH, SECRET, 'hs-signature-value']) expect(text).not.toContain(secret);
    expect(text).toContain('/oauth/callback');
  });
});
