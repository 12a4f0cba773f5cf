import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot's request signatures (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation;
 * vectors in test/fixtures/hubspot/signature-vectors.json).
 * Pure functions: the HTTP edge decides which headers to read and which URL was signed.
 *
 * v3 is the only version DealBooks accepts: it carries a timestamp, so a captured request goes stale after five
 * minutes. v1 and v2 are implemented only so a refusal can say precisely why (a valid but unfreshable signature).
 * `@hubspot/api-client`'s Signature.isValid is not used: its v3 path skips the URI decoding and compares with `===`.
 */

export const HUBSPOT_SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

/** The only escapes HubSpot decodes in the URI before signing v3; every other escape (e.g. %20) stays as sent. */
const V3_DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as it enters the v3 signed string: the escapes above decoded (hex in either case), all others kept. */
export function hubspotV3SignedUri(url: string): string {
  return url.replace(/%[0-9A-Fa-f]{2}/g, (escape) => V3_DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_signature' | 'bad_timestamp' | 'expired' | 'mismatch' };

export interface HubSpotV3Input {
  clientSecret: string;
  method: string;
  /** The full URL the request was sent to (scheme, host, path, query), built from PUBLIC_BASE_URL, never Host. */
  url: string;
  /** The bytes received, exactly: a re-serialised body would not match. */
  rawBody: Buffer;
  /** X-HubSpot-Signature-v3 (base64). */
  signature: string | undefined;
  /** X-HubSpot-Request-Timestamp (epoch ms, as text). */
  timestamp: string | undefined;
  nowMs: number;
  maxAgeMs?: number;
}

function v3Digest(input: { clientSecret: string; method: string; url: string; rawBody: Buffer; timestamp: string }): Buffer {
  return createHmac('sha256', input.clientSecret)
    .update(`${input.method.toUpperCase()}${hubspotV3SignedUri(input.url)}`, 'utf8')
    .update(input.rawBody)
    .update(input.timestamp, 'utf8')
    .digest();
}

/** base64 HMAC-SHA256 over method + uri + body + timestamp: what HubSpot sends (tests and the sandbox's card helper). */
export function signHubSpotV3(input: { clientSecret: string; method: string; url: string; rawBody: Buffer | string; timestamp: number | string }): string {
  const rawBody = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  return v3Digest({ ...input, rawBody, timestamp: String(input.timestamp) }).toString('base64');
}

/**
 * The bytes of a base64 signature, only when written the one canonical way. Node's decoder is lenient (it stops at
 * padding and skips stray characters), so "sig" and "sig + junk" would decode alike: one signature, many spellings,
 * and a replay check keyed on the text could be walked around. Comparing the re-encoding leaks nothing secret.
 */
export function canonicalBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Constant time for equal lengths; different lengths are refused without comparing (the length is not secret). */
export function constantTimeEqual(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function verifyHubSpotV3(input: HubSpotV3Input): SignatureCheck {
  const { signature, timestamp } = input;
  if (!signature) return { ok: false, reason: 'missing_signature' };
  // Digits only: Number() would also accept "1e12", " 17", "0x1" and sign something other than what was sent.
  if (!timestamp || !/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  // Both directions: a timestamp far in the future would otherwise keep a captured request usable for longer.
  if (Math.abs(input.nowMs - Number(timestamp)) > (input.maxAgeMs ?? HUBSPOT_SIGNATURE_WINDOW_MS)) return { ok: false, reason: 'expired' };
  const expected = v3Digest({ ...input, timestamp });
  const given = canonicalBase64(signature);
  return given && constantTimeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

export interface HubSpotLegacyInput {
  version: 'v1' | 'v2';
  clientSecret: string;
  /** v2 only. */
  method?: string;
  /** v2 only: the URI as sent (v2 decodes nothing). */
  url?: string;
  rawBody: Buffer;
  /** X-HubSpot-Signature (hex). */
  signature: string | undefined;
}

/** v1 = hex(SHA-256(secret + body)); v2 = hex(SHA-256(secret + method + uri + body)). No timestamp, so no window. */
export function verifyHubSpotLegacy(input: HubSpotLegacyInput): SignatureCheck {
  if (!input.signature) return { ok: false, reason: 'missing_signature' };
  const hash = createHash('sha256').update(input.clientSecret, 'utf8');
  if (input.version === 'v2') hash.update(`${(input.method ?? '').toUpperCase()}${input.url ?? ''}`, 'utf8');
  const expected = hash.update(input.rawBody).digest();
  const given = /^[0-9a-fA-F]+$/.test(input.signature) ? Buffer.from(input.signature, 'hex') : Buffer.alloc(0);
  return constantTimeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
