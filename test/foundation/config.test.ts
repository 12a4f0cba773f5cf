import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/src/config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const PRODUCTION = {
  HUBSPOT_CLIENT_ID: 'hs-client',
  HUBSPOT_CLIENT_SECRET: 'hs-secret-value',
  HUBSPOT_APP_ID: '123456',
  QBO_CLIENT_ID: 'qbo-client',
  QBO_CLIENT_SECRET: 'qbo-secret-value',
  QBO_WEBHOOK_VERIFIER_TOKEN: 'verifier-value',
  TOKEN_ENCRYPTION_KEY: KEY,
};

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return Object.fromEntries((err as ConfigError).problems.map((p) => [p.variable, p.message]));
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('When nothing is configured, then the documented defaults apply and DealBooks runs as the sandbox', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      dataDir: '/srv/app/.data',
      logLevel: 'info',
      sandbox: true,
      simulators: { quickbooksPort: 3001, hubspotPort: 3002 },
      hubspot: { apiBaseUrl: 'https://api.hubapi.com', authorizeUrl: 'https://app.hubspot.com/oauth/authorize' },
      quickbooks: {
        environment: 'sandbox',
        apiBaseUrl: 'https://sandbox-quickbooks.api.intuit.com',
        authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
        tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
        revokeUrl: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
      },
    });
  });

  it('When the service takes any free port, then so do the sandbox simulators; explicit ports win', () => {
    expect(loadConfig({ PORT: '0' }).simulators).toEqual({ quickbooksPort: 0, hubspotPort: 0 });
    expect(loadConfig({ PORT: '8080', SANDBOX_HUBSPOT_PORT: '4002' }).simulators).toEqual({ quickbooksPort: 8081, hubspotPort: 4002 });
  });

  it('When METRICS_PORT is unset, then there is no metrics listener; set, it binds loopback unless METRICS_HOST says otherwise', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(problemsOf({ METRICS_PORT: 'ninety' }).METRICS_PORT).toMatch(/whole number from 0 to 65535/);
    expect(problemsOf({ METRICS_PORT: '70000' }).METRICS_PORT).toMatch(/whole number from 0 to 65535/);
    expect(problemsOf({ METRICS_HOST: 'http://example.com/' }).METRICS_HOST).toMatch(/address the metrics listener binds/);
    expect(problemsOf({ PORT: '8080', METRICS_PORT: '8080' }).METRICS_PORT).toMatch(/other than PORT/);
  });

  it('When all credentials are configured, then it is not the sandbox and the QBO base follows the environment', () => {
    const config = loadConfig({ ...PRODUCTION, QBO_ENVIRONMENT: 'production' });
    expect(config.sandbox).toBe(false);
    expect(config.quickbooks.apiBaseUrl).toBe('https://quickbooks.api.intuit.com');
    expect(config.tokenEncryptionKey).toEqual(Buffer.alloc(32, 7));
  });

  it('When QBO_API_BASE_URL is set, then it wins over the derived one (and a trailing slash is dropped)', () => {
    const config = loadConfig({ QBO_API_BASE_URL: 'http://127.0.0.1:4001/' });
    expect(config.quickbooks.apiBaseUrl).toBe('http://127.0.0.1:4001');
  });

  it('When only some credentials are set, then every missing production variable is named', () => {
    const problems = problemsOf({ HUBSPOT_CLIENT_ID: 'x' });
    expect(Object.keys(problems).sort()).toEqual(
      [
        'HUBSPOT_APP_ID',
        'HUBSPOT_CLIENT_SECRET',
        'QBO_CLIENT_ID',
        'QBO_CLIENT_SECRET',
        'QBO_WEBHOOK_VERIFIER_TOKEN',
        'TOKEN_ENCRYPTION_KEY',
      ].sort(),
    );
    expect(problems.TOKEN_ENCRYPTION_KEY).toMatch(/required outside the sandbox/);
  });

  it('When SANDBOX=0 is forced without credentials, then the credentials are required', () => {
    expect(Object.keys(problemsOf({ SANDBOX: '0' }))).toContain('QBO_CLIENT_SECRET');
  });

  it.each([
    ['PORT', 'abc', /whole number from 0 to 65535.*got "abc"/],
    ['PORT', '70000', /from 0 to 65535/],
    ['PUBLIC_BASE_URL', 'not a url', /absolute http\(s\) URL/],
    ['LOG_LEVEL', 'loud', /one of fatal, error, warn, info, debug, trace, silent/],
    ['QBO_ENVIRONMENT', 'staging', /sandbox or production/],
    ['SANDBOX', 'yes', /1 \(use the bundled simulators\) or 0/],
    ['HUBSPOT_API_BASE_URL', 'ftp://x', /absolute http\(s\) URL/],
    ['HUBSPOT_APP_ID', 'abc', /numeric HubSpot app id/],
    ['DATABASE_URL', 'mysql://x', /postgres:\/\//],
  ])('When %s is %p, then the message names it and says what is expected', (variable, value, expected) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems[variable]).toMatch(expected);
  });

  it('When a secret is malformed, then the message explains it without repeating the value', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    let message = '';
    try {
      loadConfig({ ...PRODUCTION, TOKEN_ENCRYPTION_KEY: short });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/TOKEN_ENCRYPTION_KEY: expected 32 random bytes, base64-encoded/);
    expect(message).toContain('(value hidden)');
    expect(message).not.toContain(short);
  });

  it('When a variable is blank, then it counts as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('When the service starts with a bad value, then the process stops with a message naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../server/src/main.ts')], {
      env: { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('PORT: expected a whole number from 0 to 65535 (got "eighty")');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
