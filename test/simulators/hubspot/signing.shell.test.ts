import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Signature } from '@hubspot/api-client';
import { signV1, signV2, signV3, signedHeaders, v3SignedUri } from './signing';
import { FIXTURES } from './shell-test-support';
import { verifyV3 } from './shell-test-verifier';

interface Vectors {
  clientSecret: string;
  v1: Array<{ requestBody: string; sha256hex: string }>;
  v2: Array<{ method: string; uri: string; requestBody: string; sha256hex: string }>;
  v3: Array<{ method: string; uri: string; requestBody: string; timestamp: string; signatureBase64: string }>;
}
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'signature-vectors.json'), 'utf8')) as Vectors;
const secret = vectors.clientSecret;

describe('HubSpot request signatures', () => {
  it.each(vectors.v1)('When a v1 vector is signed, then the hex SHA-256 matches HubSpot\'s ($sha256hex)', (v) => {
    expect(signV1(secret, v.requestBody)).toBe(v.sha256hex);
  });

  it.each(vectors.v2)('When a v2 vector ($method $uri) is signed, then it matches HubSpot\'s', (v) => {
    expect(signV2(secret, v.method, v.uri, v.requestBody)).toBe(v.sha256hex);
  });

  it.each(vectors.v3)('When a v3 vector ($method $uri) is signed, then it matches the fixture and @hubspot/api-client', (v) => {
    const ours = signV3({ clientSecret: secret, method: v.method, uri: v.uri, body: v.requestBody, timestamp: v.timestamp });
    expect(ours).toBe(v.signatureBase64);
    const theirs = Signature.getSignature(v.method, 'v3', { clientSecret: secret, url: v.uri, requestBody: v.requestBody, timestamp: Number(v.timestamp), signature: '' });
    expect(ours).toBe(theirs);
  });

  it('When the URI carries escapes, then only the listed ones are decoded before signing (either hex case)', () => {
    expect(v3SignedUri('https://x.example/a%3Ab%2fc?e=a%40b.com&q=%20%2B%3D%25%28%29%2a%2C%3B%21%24%27')).toBe(
      "https://x.example/a:b/c?e=a@b.com&q=%20%2B%3D%25()*,;!$'",
    );
  });

  it('When a URI with escapes is signed, then an independent verifier accepts it and the SDK (no decoding) differs', () => {
    const uri = 'https://app.example.com/api/cards?userEmail=ada%40example.com&portalId=1';
    const timestamp = 1_700_000_000_000;
    const signature = signV3({ clientSecret: secret, method: 'GET', uri, body: '', timestamp });
    const accepted = verifyV3({
      secret,
      method: 'GET',
      publicBaseUrl: 'https://app.example.com',
      originalUrl: '/api/cards?userEmail=ada%40example.com&portalId=1',
      rawBody: '',
      signature,
      timestamp: String(timestamp),
      nowMs: timestamp + 1000,
    });
    expect(accepted).toBe(true);
    expect(Signature.getSignature('GET', 'v3', { clientSecret: secret, url: uri, requestBody: '', timestamp, signature: '' })).not.toBe(signature);
  });

  it('When signed headers are built, then they carry v3, the timestamp and the legacy v1 pair', () => {
    const headers = signedHeaders({ clientSecret: secret, method: 'POST', uri: vectors.v3[1]!.uri, body: vectors.v3[1]!.requestBody, timestamp: vectors.v3[1]!.timestamp });
    expect(headers).toEqual({
      'X-HubSpot-Signature-v3': vectors.v3[1]!.signatureBase64,
      'X-HubSpot-Request-Timestamp': vectors.v3[1]!.timestamp,
      'X-HubSpot-Signature': signV1(secret, vectors.v3[1]!.requestBody),
      'X-HubSpot-Signature-Version': 'v1',
    });
  });
});
