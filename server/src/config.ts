import path from 'node:path';
import { z } from 'zod';

/**
 * The environment is a contract: README, deployment and tests rely on these names. One schema, validated at boot,
 * that also turns the variables into the Config the service runs with (the Config type is inferred from it, so a
 * variable cannot be added to one and forgotten in the other); a bad value stops the process with a message that
 * names the variable and says what is expected (and never echoes a secret back).
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const QBO_API_BASE_URLS = {
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
  production: 'https://quickbooks.api.intuit.com',
} as const;

/** Variables whose values are secrets: an error message names them but never repeats what was given. */
export const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'TOKEN_ENCRYPTION_KEY',
  'TOKEN_ENCRYPTION_PREVIOUS_KEYS',
  'HUBSPOT_CLIENT_SECRET',
  'QBO_CLIENT_SECRET',
  'QBO_WEBHOOK_VERIFIER_TOKEN',
]);

/** Credentials whose presence switches DealBooks from the sandbox to the real services. */
const CREDENTIAL_VARIABLES = ['HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', 'QBO_CLIENT_ID', 'QBO_CLIENT_SECRET'] as const;

/** What a production (non-sandbox) deployment cannot run without. */
const REQUIRED_OUTSIDE_SANDBOX = [
  ...CREDENTIAL_VARIABLES,
  'HUBSPOT_APP_ID',
  'QBO_WEBHOOK_VERIFIER_TOKEN',
  'TOKEN_ENCRYPTION_KEY',
] as const;

const httpUrl = (what: string) =>
  z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    }, `expected an absolute http(s) URL (${what})`)
    .transform((value) => value.replace(/\/+$/, ''));

const optionalText = z.string().min(1).optional();

const PORT_EXPECTED = 'expected a whole number from 0 to 65535';
/** A TCP port; 0 asks the system for any free one. */
const port = z.coerce.number({ message: PORT_EXPECTED }).int(PORT_EXPECTED).min(0, PORT_EXPECTED).max(65535, PORT_EXPECTED);

/** An AES-256 key as the variables carry it: 32 bytes, base64. */
const keyBytes = (value: string): Buffer => Buffer.from(value, 'base64');
const isBase64Key = (value: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && keyBytes(value).length === 32;

const envSchema = z
  .object({
    PORT: port.default(3000),
    PUBLIC_BASE_URL: httpUrl('the address HubSpot and Intuit use to reach DealBooks, e.g. https://dealbooks.example.com').optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection string; leave unset for the embedded database')
      .optional(),
    DATA_DIR: z.string().min(1).default('./.data'),
    LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .refine(isBase64Key, 'expected 32 random bytes, base64-encoded (generate one with: openssl rand -base64 32)')
      .optional(),
    TOKEN_ENCRYPTION_PREVIOUS_KEYS: z
      .string()
      .refine(
        (value) => value.split(',').every((k) => isBase64Key(k.trim())),
        'expected a comma-separated list of retired 32-byte base64 keys (still able to decrypt, never used to encrypt)',
      )
      .optional(),
    HUBSPOT_CLIENT_ID: optionalText,
    HUBSPOT_CLIENT_SECRET: optionalText,
    HUBSPOT_APP_ID: z.string().regex(/^\d+$/, 'expected the numeric HubSpot app id').optional(),
    HUBSPOT_API_BASE_URL: httpUrl('HubSpot API base').default('https://api.hubapi.com'),
    HUBSPOT_AUTHORIZE_URL: httpUrl('HubSpot OAuth authorize page').default('https://app.hubspot.com/oauth/authorize'),
    QBO_CLIENT_ID: optionalText,
    QBO_CLIENT_SECRET: optionalText,
    QBO_ENVIRONMENT: z.enum(['sandbox', 'production'], { message: 'expected sandbox or production' }).default('sandbox'),
    QBO_API_BASE_URL: httpUrl('QuickBooks Online API base').optional(),
    QBO_AUTHORIZE_URL: httpUrl('Intuit OAuth authorize page').default('https://appcenter.intuit.com/connect/oauth2'),
    QBO_TOKEN_URL: httpUrl('Intuit OAuth token endpoint').default('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer'),
    QBO_REVOKE_URL: httpUrl('Intuit OAuth revoke endpoint').default('https://developer.api.intuit.com/v2/oauth2/tokens/revoke'),
    QBO_WEBHOOK_VERIFIER_TOKEN: optionalText,
    SANDBOX: z.enum(['0', '1', 'true', 'false'], { message: 'expected 1 (use the bundled simulators) or 0' }).optional(),
    SANDBOX_QUICKBOOKS_PORT: port.optional(),
    SANDBOX_HUBSPOT_PORT: port.optional(),
    METRICS_PORT: port.optional(),
    METRICS_HOST: z
      .string()
      .regex(/^[A-Za-z0-9.:-]+$/, 'expected the address the metrics listener binds, e.g. 127.0.0.1, ::1 or 0.0.0.0')
      .default('127.0.0.1'),
    QBO_CHANGE_CHECK_MINUTES: z.coerce
      .number({ message: 'expected a number of minutes' })
      .int('expected a whole number of minutes')
      .min(1, 'expected at least 1 minute')
      .max(1440, 'expected at most 1440 minutes (a day)')
      .default(15),
    SHUTDOWN_TIMEOUT_MS: z.coerce
      .number({ message: 'expected a number of milliseconds' })
      .int('expected a whole number of milliseconds')
      .min(1000, 'expected at least 1000 milliseconds')
      .default(25_000),
  })
  .superRefine((env, ctx) => {
    // Two listeners cannot share a port, and /metrics must never be served where the public port is.
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'expected a port other than PORT: metrics are served on a listener of their own' });
    }
    const sandbox = resolveSandbox(env);
    if (sandbox) return;
    for (const name of REQUIRED_OUTSIDE_SANDBOX) {
      if (env[name] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'required outside the sandbox (set SANDBOX=1, or configure all HubSpot and QuickBooks credentials)',
        });
      }
    }
  });

type ParsedEnv = z.output<typeof envSchema>;

function resolveSandbox(env: Pick<ParsedEnv, 'SANDBOX' | (typeof CREDENTIAL_VARIABLES)[number]>): boolean {
  if (env.SANDBOX !== undefined) return env.SANDBOX === '1' || env.SANDBOX === 'true';
  return CREDENTIAL_VARIABLES.every((name) => env[name] === undefined);
}

/** The validated environment turned into what the service runs with; relative paths resolve against `cwd`. */
function configSchema(cwd: string) {
  return envSchema.transform((env) => ({
    port: env.PORT,
    // Unset: this machine on the port it serves (OAuth redirects and signed URLs must come back to this process).
    publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`,
    /** Unset: DealBooks runs an embedded PGlite database under dataDir. */
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(cwd, env.DATA_DIR),
    logLevel: env.LOG_LEVEL,
    /** 32-byte AES-256-GCM key for tokens at rest; the sandbox may run without one until it generates its own. */
    tokenEncryptionKey: env.TOKEN_ENCRYPTION_KEY ? keyBytes(env.TOKEN_ENCRYPTION_KEY) : undefined,
    /** Retired keys that still decrypt tokens sealed before a rotation (values are re-sealed under the current key). */
    previousTokenEncryptionKeys: (env.TOKEN_ENCRYPTION_PREVIOUS_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map(keyBytes),
    /** Run against the bundled HubSpot and QuickBooks simulators instead of the real services. */
    sandbox: resolveSandbox(env),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    /** How often each QBO connection's changes are checked by change data capture (the backstop for lost notifications). */
    qboChangeCheckMinutes: env.QBO_CHANGE_CHECK_MINUTES,
    /**
     * GET /metrics (Prometheus) on a listener of its own, never on the public port: unset port, no listener. Loopback
     * by default, so metrics are not reachable from the internet unless an operator binds them elsewhere on purpose.
     */
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST },
    /** Where the sandbox's in-process simulators listen (0: any free port). Only used when `sandbox` is on. */
    simulators: {
      // Next to the service by default (3001 and 3002 beside 3000), so the sandbox's addresses stay the same
      // from one run to the next; any free port when the service itself takes any free port.
      quickbooksPort: env.SANDBOX_QUICKBOOKS_PORT ?? (env.PORT === 0 ? 0 : Math.min(env.PORT + 1, 65535)),
      hubspotPort: env.SANDBOX_HUBSPOT_PORT ?? (env.PORT === 0 ? 0 : Math.min(env.PORT + 2, 65535)),
    },
    hubspot: {
      clientId: env.HUBSPOT_CLIENT_ID,
      clientSecret: env.HUBSPOT_CLIENT_SECRET,
      appId: env.HUBSPOT_APP_ID,
      apiBaseUrl: env.HUBSPOT_API_BASE_URL,
      authorizeUrl: env.HUBSPOT_AUTHORIZE_URL,
    },
    quickbooks: {
      clientId: env.QBO_CLIENT_ID,
      clientSecret: env.QBO_CLIENT_SECRET,
      environment: env.QBO_ENVIRONMENT,
      apiBaseUrl: env.QBO_API_BASE_URL ?? QBO_API_BASE_URLS[env.QBO_ENVIRONMENT],
      authorizeUrl: env.QBO_AUTHORIZE_URL,
      tokenUrl: env.QBO_TOKEN_URL,
      revokeUrl: env.QBO_REVOKE_URL,
      webhookVerifierToken: env.QBO_WEBHOOK_VERIFIER_TOKEN,
    },
  }));
}

export type Config = z.output<ReturnType<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n` +
        'See the configuration table in README.md.',
    );
    this.name = 'ConfigError';
  }
}

/** Blank values count as unset, as they do in most .env files and deployment consoles. */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  return cleaned;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const input = withoutBlanks(env);
  const result = configSchema(cwd).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const given = input[variable];
      const shown = given === undefined ? '' : SECRET_VARIABLES.has(variable) ? ' (value hidden)' : ` (got "${given}")`;
      return { variable, message: `${issue.message}${shown}` };
    });
    throw new ConfigError(problems);
  }
  return result.data;
}
