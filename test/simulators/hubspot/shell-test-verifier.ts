import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A v3 signature check written for the tests from HubSpot's published steps alone (not from signing.ts), the way an
 * app's backend checks HubSpot's requests: rebuild the URL from the public base URL, decode only the characters
 * HubSpot lists, HMAC-SHA256 with the client secret, compare in constant time, reject stale timestamps
 * (developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation).
 */
const DECODED_CHARACTERS = new Set([':', '/', '?', '@', '!', '$', "'", '(', ')', '*', ',', ';']);

function decodeListed(uri: string): string {
  let out = '';
  for (let i = 0; i < uri.length; i++) {
    if (uri[i] === '%' && i + 2 < uri.length) {
      const char = String.fromCharCode(parseInt(uri.slice(i + 1, i + 3), 16));
      if (DECODED_CHARACTERS.has(char)) {
        out += char;
        i += 2;
        continue;
      }
    }
    out += uri[i];
  }
  return out;
}

export function verifyV3(o: {
  secret: string;
  method: string;
  publicBaseUrl: string;
  /** Path and query as received (req.originalUrl). */
  originalUrl: string;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs: number;
}): boolean {
  if (!o.signature || !o.timestamp) return false;
  if (o.nowMs - Number(o.timestamp) > 5 * 60_000) return false;
  const source = o.method + decodeListed(o.publicBaseUrl + o.originalUrl) + o.rawBody + o.timestamp;
  const expected = createHmac('sha256', o.secret).update(source).digest();
  const given = Buffer.from(o.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
