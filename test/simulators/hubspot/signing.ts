import { createHash, createHmac } from 'node:crypto';

/**
 * HubSpot's request signatures, as HubSpot computes them when it calls an app (webhooks and UI-extension
 * `hubspot.fetch` requests). Vectors: test/fixtures/hubspot/signature-vectors.json.
 *
 * - v1 = hex(SHA-256(clientSecret + body)), header `X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v1`;
 * - v2 = hex(SHA-256(clientSecret + method + uri + body));
 * - v3 = base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)), header `X-HubSpot-Signature-v3`, with the
 *   timestamp (epoch ms) in `X-HubSpot-Request-Timestamp`. The uri is the full URL with only a handful of
 *   percent-escapes decoded (below), because HubSpot signs the URL as it sees it after that partial decoding.
 */

/**
 * The escapes HubSpot decodes in the URL before signing v3, as listed in
 * developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation. Nothing else is.
 */
const V3_DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/** The URI as it enters the v3 signed string: those escapes decoded (either case of hex digits), all others kept. */
export function v3SignedUri(uri: string): string {
  return uri.replace(/%[0-9A-Fa-f]{2}/g, (escape) => V3_DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

export interface V3Input {
  clientSecret: string;
  method: string;
  /** The full URL the request goes to (scheme, host, path, query), as sent on the wire. */
  uri: string;
  /** The raw body as sent ('' for none). */
  body: string;
  /** Epoch milliseconds, the value of X-HubSpot-Request-Timestamp. */
  timestamp: number | string;
}

export function signV3({ clientSecret, method, uri, body, timestamp }: V3Input): string {
  const source = `${method.toUpperCase()}${v3SignedUri(uri)}${body}${timestamp}`;
  return createHmac('sha256', clientSecret).update(source, 'utf8').digest('base64');
}

export function signV1(clientSecret: string, body: string): string {
  return createHash('sha256').update(clientSecret + body, 'utf8').digest('hex');
}

export function signV2(clientSecret: string, method: string, uri: string, body: string): string {
  return createHash('sha256').update(clientSecret + method.toUpperCase() + uri + body, 'utf8').digest('hex');
}

/** The headers HubSpot puts on a signed outgoing request (both the v3 and the legacy v1 signature). */
export function signedHeaders(input: V3Input): Record<string, string> {
  return {
    'X-HubSpot-Signature-v3': signV3(input),
    'X-HubSpot-Request-Timestamp': String(input.timestamp),
    'X-HubSpot-Signature': signV1(input.clientSecret, input.body),
    'X-HubSpot-Signature-Version': 'v1',
  };
}
