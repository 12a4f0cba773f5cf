import fs from 'node:fs';
import path from 'node:path';
import { verifyHubSpotLegacy, verifyHubSpotV3 } from '../../server/src/security/hubspot-signature';

// The edges of the HubSpot signature checks that the fixture vectors alone leave open: what a legacy version signs,
// how strictly a hex signature is read, and the far side of the v3 window. Pure: no service, no port.

const FIXTURES = path.resolve(__dirname, '../fixtures');
const hubspot = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'hubspot/signature-vectors.json'), 'utf8')) as {
  clientSecret: string;
  v1: Array<{ requestBody: string; sha256hex: string }>;
  v2: Array<{ method: string; uri: string; requestBody: string; sha256hex: string }>;
  v3: Array<{ method: string; uri: string; requestBody: string; timestamp: string; signatureBase64: string }>;
};
const secret = hubspot.clientSecret;
const body = (text: string) => Buffer.from(text, 'utf8');

describe('HubSpot legacy signature edges', () => {
  const v1 = hubspot.v1[0]!;
  const v2 = hubspot.v2[0]!;

  it('When a v1 signature is checked with a method and URI at hand, then only the secret and the body are signed', () => {
    const input = { version: 'v1' as const, clientSecret: secret, method: v2.method, url: v2.uri, rawBody: body(v1.requestBody), signature: v1.sha256hex };
    expect(verifyHubSpotLegacy(input)).toEqual({ ok: true });
  });

  it('When the same hex is checked as the other version, then it is a mismatch', () => {
    const v2Input = { clientSecret: secret, method: v2.method, url: v2.uri, rawBody: body(v2.requestBody), signature: v2.sha256hex };
    expect(verifyHubSpotLegacy({ ...v2Input, version: 'v2' })).toEqual({ ok: true });
    expect(verifyHubSpotLegacy({ ...v2Input, version: 'v1' })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('When the hex is written in upper case, then it verifies like the lower-case form', () => {
    expect(verifyHubSpotLegacy({ version: 'v1', clientSecret: secret, rawBody: body(v1.requestBody), signature: v1.sha256hex.toUpperCase() })).toEqual({ ok: true });
  });

  // Node's hex decoder stops at the first pair that is not hex, so these would decode to the right 32 bytes:
  // only reading the whole header as hex refuses them.
  it.each([
    ['a suffix that is not hex', `${v1.sha256hex}zz`],
    ['a space and more hex', `${v1.sha256hex} 00`],
    ['a trailing newline', `${v1.sha256hex}\n`],
    ['a second signature after a comma', `${v1.sha256hex},${v1.sha256hex}`],
  ])('When the right hex is followed by %s, then it is a mismatch', (_what, signature) => {
    expect(verifyHubSpotLegacy({ version: 'v1', clientSecret: secret, rawBody: body(v1.requestBody), signature })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('When the right hex is preceded by anything else, then it is a mismatch', () => {
    for (const signature of [`zz${v1.sha256hex}`, ` ${v1.sha256hex}`, `sha256=${v1.sha256hex}`]) {
      expect(verifyHubSpotLegacy({ version: 'v1', clientSecret: secret, rawBody: body(v1.requestBody), signature })).toEqual({ ok: false, reason: 'mismatch' });
    }
  });
});

describe('HubSpot v3 window edges', () => {
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

  it('When the timestamp is exactly 5 minutes ahead of the clock, then it still passes; a millisecond more is expired', () => {
    const ts = Number(vector.timestamp);
    expect(verifyHubSpotV3({ ...valid, nowMs: ts - 5 * 60_000 })).toEqual({ ok: true });
    expect(verifyHubSpotV3({ ...valid, nowMs: ts - 5 * 60_000 - 1 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('When a shorter window is given, then its exact limit passes and one millisecond past it is expired', () => {
    const ts = Number(vector.timestamp);
    expect(verifyHubSpotV3({ ...valid, nowMs: ts + 30_000, maxAgeMs: 30_000 })).toEqual({ ok: true });
    expect(verifyHubSpotV3({ ...valid, nowMs: ts + 30_001, maxAgeMs: 30_000 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('When the method is sent in lower case, then it is signed in upper case and verifies', () => {
    expect(verifyHubSpotV3({ ...valid, method: vector.method.toLowerCase() })).toEqual({ ok: true });
  });
});
