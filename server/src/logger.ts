import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Fields that hold credentials wherever they appear (pino's `*` matches one level, so the common nestings are
 * listed). Tokens, secrets and signatures are never written; the stream hook below is the last line of defence
 * for anything that slips into a free-text message (a Bearer header quoted in a library's error, say).
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'access_token',
  'refresh_token',
  'id_token',
  'accessToken',
  'refreshToken',
  'client_secret',
  'clientSecret',
  'password',
  'token',
  'secret',
  'code_verifier',
  'webhookVerifierToken',
  'tokenEncryptionKey',
  'x-hubspot-signature',
  'x-hubspot-signature-v3',
  'intuit-signature',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hubspot-signature"]',
  'req.headers["x-hubspot-signature-v3"]',
  'req.headers["intuit-signature"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) =>
    /^[A-Za-z_$][\w$]*$/.test(key)
      ? [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]
      : [`*["${key}"]`, `*.*["${key}"]`],
  ),
];

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const TOKEN_IN_TEXT =
  /((?:^|[^\w])\\?"?(?:access_token|refresh_token|id_token|client_secret)\\?"?\s*[:=]\s*\\?"?)[^"\\&\s,}]+/gi;

/** Scrubs credentials from an already-serialised log line; exported so tests can prove it. */
export function scrubSecrets(line: string): string {
  return line.replace(BEARER, '$1 [Redacted]').replace(TOKEN_IN_TEXT, '$1[Redacted]');
}

export function createLogger(options: { level: string; destination?: DestinationStream; base?: Record<string, unknown> }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'dealbooks', ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      serializers: { err: pino.stdSerializers.err },
      hooks: { streamWrite: scrubSecrets },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
