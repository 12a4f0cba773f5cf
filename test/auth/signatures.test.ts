import fs from 'node:fs';
import path from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import {
  hubspotV3SignedUri,
  signHubSpotV3,
  verifyHubSpotLegacy,
  verifyHubSpotV3,
} from '../../server/src/security/hubspot-signature';
import { verifyIntuitSignature } from '../../server/src/security/intuit-signature';
import { signV3 } from '../simulators/hubspot';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const hubspot = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'hubspot/signature-vectors.json'), 'utf8')) as {
  clientSecret: string;
  v1: Array<{ requestBody: string; sha256hex: string }>;
  v2: Array<{ method: string; uri: string; requestBody: string; sha256hex: string }>;
  v3: Array<{ method: string; uri: string; requestBody: string; timestamp: string; signatureBase64: string }>;
};
const intuit = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'quickbooks/webhook_signature_vectors.json'), 'utf8')) as {
  vectors: Array<{ verifierToken: string; intuitSignature: string; bodyFile: string }>;
};

const secret = hubspot.clientSecret;
const body = (text: string) => Buffer.from(text, 'utf8');

describe('HubSpot v3 signatures', () => {
  it.each(hubspot.v3.map((v, i) => [i, v] as const))('When fixture vector %i arrives within the window, then it verifies', (_i, vector) => {
    const check = verifyHubSpotV3({
      clientSecret: secret,
      method: vector.method,
      url: vector.uri,
      rawBody: body(vector.requestBody),
      signature: vector.signatureBase64,
      timestamp: vector.timestamp,
      nowMs: Number(vector.timestamp) + 1000,
    });
    expect(check).toEqual({ ok: true });
    expect(signHubSpotV3({ clientSecret: secret, method: vector.method, url: vector.uri, rawBody: vector.requestBody, timestamp: vector.timestamp })).toBe(
      vector.signatureBase64,
    );
  });

  const vector = hubspot.v3[1]!;
  const valid = {
    clientSecret: secret,
    method: vector.method,
    url: vector.uri,
    rawBody: body(vector.requestBody),
    signature: vector.signatureBase64,
    timestamp: vector.timestamp,
    nowMs: Number(vector.timestamp),
  };

  it('When any signed part is changed, then the signature does not match', () => {
    expect(verifyHubSpotV3(valid)).toEqual({ ok: true });
    expect(verifyHubSpotV3({ ...valid, rawBody: body(vector.requestBody.replace('closedwon', 'closedlost')) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotV3({ ...valid, method: 'PUT' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotV3({ ...valid, url: `${vector.uri}?portalId=1` })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotV3({ ...valid, url: vector.uri.replace('app.example.com', 'evil.example.com') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotV3({ ...valid, timestamp: String(Number(vector.timestamp) + 1) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotV3({ ...valid, clientSecret: 'another-secret' })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('When the body bytes are not valid UTF-8, then the check runs on the bytes as received', () => {
    const bytes = Buffer.from([0x5b, 0xff, 0xfe, 0x5d]);
    const signature = signHubSpotV3({ clientSecret: secret, method: 'POST', url: vector.uri, rawBody: bytes, timestamp: vector.timestamp });
    expect(verifyHubSpotV3({ ...valid, rawBody: bytes, signature })).toEqual({ ok: true });
    // The same text after a lossy decode and re-encode is other bytes, so it fails.
    expect(verifyHubSpotV3({ ...valid, rawBody: Buffer.from(bytes.toString('utf8'), 'utf8'), signature })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('When the timestamp is more than 5 minutes old or ahead, then it is expired; exactly 5 minutes still passes', () => {
    const ts = Number(vector.timestamp);
    expect(verifyHubSpotV3({ ...valid, nowMs: ts + 5 * 60_000 })).toEqual({ ok: true });
    expect(verifyHubSpotV3({ ...valid, nowMs: ts + 5 * 60_000 + 1 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHubSpotV3({ ...valid, nowMs: ts - 5 * 60_000 - 1 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHubSpotV3({ ...valid, nowMs: ts + 60_000, maxAgeMs: 30_000 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('When the signature or the timestamp is missing or malformed, then the reason says which', () => {
    expect(verifyHubSpotV3({ ...valid, signature: undefined })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyHubSpotV3({ ...valid, signature: '' })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyHubSpotV3({ ...valid, timestamp: undefined })).toEqual({ ok: false, reason: 'bad_timestamp' });
    for (const timestamp of ['', '1.7e12', ' 1700000000500', '0x18BCFE56800', '-1700000000500', 'soon']) {
      expect(verifyHubSpotV3({ ...valid, timestamp })).toEqual({ ok: false, reason: 'bad_timestamp' });
    }
  });

  it('When a signature of another length (or not base64 at all) is given, then it is a mismatch, not an exception', () => {
    for (const signature of ['AAAA', 'x', `${vector.signatureBase64}AAAA`, '!!!not base64!!!', vector.signatureBase64.slice(0, 40)]) {
      expect(() => verifyHubSpotV3({ ...valid, signature })).not.toThrow();
      expect(verifyHubSpotV3({ ...valid, signature })).toEqual({ ok: false, reason: 'mismatch' });
    }
  });
});

describe('HubSpot v3 URI decoding', () => {
  it('When the URL holds the listed escapes, then exactly those are decoded, in either hex case', () => {
    expect(hubspotV3SignedUri('https://x.example/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe("https://x.example/a:b/c?d@e!f$g'h(i)j*k,l;m");
    expect(hubspotV3SignedUri('https://x.example/p?e=owner%40demo.example&t=a%3ab')).toBe('https://x.example/p?e=owner@demo.example&t=a:b');
  });

  it('When the URL holds other escapes, then they stay as sent (an encoded space, an encoded percent, unicode)', () => {
    expect(hubspotV3SignedUri('https://x.example/p?q=a%20b&r=100%25&s=%C3%A9&t=%2b&u=%3D')).toBe('https://x.example/p?q=a%20b&r=100%25&s=%C3%A9&t=%2b&u=%3D');
    // %253A is an encoded "%3A", not a colon: one pass only.
    expect(hubspotV3SignedUri('https://x.example/p?q=%253A')).toBe('https://x.example/p?q=%253A');
  });

  it('When a URL is signed with decoded escapes, then the same URL sent encoded (lower-case hex included) verifies', () => {
    const timestamp = '1700000000000';
    const decoded = 'https://dealbooks.example/api/deal?userEmail=owner@demo.example&note=a:b';
    const signature = signHubSpotV3({ clientSecret: secret, method: 'GET', url: decoded, rawBody: '', timestamp });
    const check = (url: string) => verifyHubSpotV3({ clientSecret: secret, method: 'GET', url, rawBody: Buffer.alloc(0), signature, timestamp, nowMs: Number(timestamp) });
    expect(check('https://dealbooks.example/api/deal?userEmail=owner%40demo.example&note=a%3Ab')).toEqual({ ok: true });
    expect(check('https://dealbooks.example/api/deal?userEmail=owner%40demo.example&note=a%3ab')).toEqual({ ok: true });
    // An encoded space is not decoded, so "a%20b" and "a b" are different URLs.
    const spaced = signHubSpotV3({ clientSecret: secret, method: 'GET', url: 'https://dealbooks.example/x?q=a%20b', rawBody: '', timestamp });
    const checkSpaced = (url: string) =>
      verifyHubSpotV3({ clientSecret: secret, method: 'GET', url, rawBody: Buffer.alloc(0), signature: spaced, timestamp, nowMs: Number(timestamp) });
    expect(checkSpaced('https://dealbooks.example/x?q=a%20b')).toEqual({ ok: true });
    expect(checkSpaced('https://dealbooks.example/x?q=a b')).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('When the simulator signs a URL with escapes, then DealBooks computes the same signature', () => {
    const url = 'http://127.0.0.1:3000/api/deals?userEmail=owner%40demo.example&q=a%20b%2Cc';
    const ours = signHubSpotV3({ clientSecret: secret, method: 'POST', url, rawBody: '{"a":1}', timestamp: 1700000000000 });
    expect(ours).toBe(signV3({ clientSecret: secret, method: 'POST', uri: url, body: '{"a":1}', timestamp: 1700000000000 }));
  });
});

describe('HubSpot legacy signatures (recognised so a refusal can say why)', () => {
  it.each(hubspot.v1.map((v, i) => [i, v] as const))('When v1 fixture vector %i is checked, then it verifies and a changed body does not', (_i, vector) => {
    expect(verifyHubSpotLegacy({ version: 'v1', clientSecret: secret, rawBody: body(vector.requestBody), signature: vector.sha256hex })).toEqual({ ok: true });
    expect(verifyHubSpotLegacy({ version: 'v1', clientSecret: secret, rawBody: body(`${vector.requestBody} `), signature: vector.sha256hex })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it.each(hubspot.v2.map((v, i) => [i, v] as const))('When v2 fixture vector %i is checked, then it verifies and a changed method or uri does not', (_i, vector) => {
    const input = { version: 'v2' as const, clientSecret: secret, method: vector.method, url: vector.uri, rawBody: body(vector.requestBody), signature: vector.sha256hex };
    expect(verifyHubSpotLegacy(input)).toEqual({ ok: true });
    expect(verifyHubSpotLegacy({ ...input, method: vector.method === 'GET' ? 'POST' : 'GET' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotLegacy({ ...input, url: `${vector.uri}/other` })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotLegacy({ ...input, signature: 'abc' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotLegacy({ ...input, signature: 'not hex at all' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSpotLegacy({ ...input, signature: undefined })).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('Intuit webhook signatures', () => {
  it.each(intuit.vectors.map((v, i) => [i, v] as const))('When fixture vector %i is checked against its body file, then it verifies', (_i, vector) => {
    const raw = fs.readFileSync(path.join(FIXTURES, 'quickbooks', vector.bodyFile));
    expect(verifyIntuitSignature(vector.verifierToken, raw, vector.intuitSignature)).toBe(true);
  });

  const vector = intuit.vectors[0]!;
  const raw = fs.readFileSync(path.join(FIXTURES, 'quickbooks', vector.bodyFile));

  it('When the body, the token or the signature differ, then it does not verify', () => {
    expect(verifyIntuitSignature(vector.verifierToken, Buffer.concat([raw, Buffer.from('\n')]), vector.intuitSignature)).toBe(false);
    expect(verifyIntuitSignature('another-verifier-token', raw, vector.intuitSignature)).toBe(false);
    const flipped = Buffer.from(vector.intuitSignature, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(verifyIntuitSignature(vector.verifierToken, raw, flipped.toString('base64'))).toBe(false);
  });

  it('When the header is missing, empty, short or long, then it does not verify and nothing throws', () => {
    for (const header of [undefined, '', 'AAAA', `${vector.intuitSignature}AAAA`, '%%%']) {
      expect(() => verifyIntuitSignature(vector.verifierToken, raw, header)).not.toThrow();
      expect(verifyIntuitSignature(vector.verifierToken, raw, header)).toBe(false);
    }
  });

  it('When a body is signed the documented way, then it verifies', () => {
    const signature = createHmac('sha256', 'tok').update(raw).digest('base64');
    expect(verifyIntuitSignature('tok', raw, signature)).toBe(true);
  });
});

describe('HubSpot v2 signatures without a method or uri', () => {
  it('When a v2 check has no method or uri, then the hash covers the secret and body only', () => {
    const rawBody = body('{"a":1}');
    const signature = createHash('sha256').update(`${secret}{"a":1}`, 'utf8').digest('hex');
    expect(verifyHubSpotLegacy({ version: 'v2', clientSecret: secret, rawBody, signature })).toEqual({ ok: true });
  });
});
