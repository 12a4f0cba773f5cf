/**
 * OpenID Connect id_tokens for grants with the `openid` scope: RS256 JWTs with the claims Intuit's discovery
 * document lists (fixture oauth_discovery_document_dotnet_sdk_test.json: aud, exp, iat, iss, realmid, sub), signed
 * by a key the simulator makes at start-up and publishes at JWKS_PATH, so intuit-oauth's validateIdToken can check
 * them once its jwks_uri points here.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { Grant } from './oauth';

export const ID_TOKEN_ISSUER = 'https://oauth.platform.intuit.com/op/v1';
export const JWKS_PATH = '/op/v1/jwks';
const ID_TOKEN_TTL_SECONDS = 3600;

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export class IdTokenSigner {
  private key?: { privateKey: KeyObject; publicKey: KeyObject; kid: string };

  sign(grant: Grant, nowMs: number): string {
    const { privateKey, kid } = this.keys();
    const iat = Math.floor(nowMs / 1000);
    const header = { kid, alg: 'RS256' };
    const payload = {
      sub: grant.userId,
      aud: [grant.clientId],
      realmid: grant.realmId,
      auth_time: iat,
      iss: ID_TOKEN_ISSUER,
      exp: iat + ID_TOKEN_TTL_SECONDS,
      iat,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
    return `${signingInput}.${base64url(signature)}`;
  }

  jwks(): { keys: Array<Record<string, string>> } {
    const { publicKey, kid } = this.keys();
    const jwk = publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', e: String(jwk.e), use: 'sig', kid, alg: 'RS256', n: String(jwk.n) }] };
  }

  /** Made on first use: most simulators never see an openid grant, and RSA key generation takes a moment. */
  private keys(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    this.key ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: randomUUID() };
    return this.key;
  }
}
