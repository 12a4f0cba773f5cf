import { createHmac } from 'node:crypto';
import { canonicalBase64, constantTimeEqual } from './hubspot-signature';

/**
 * Intuit's webhook signature: `intuit-signature` = base64(HMAC-SHA256(key =
 * verifier token, message = raw body)). Checked on the bytes received, before anything parses them.
 * Vector: test/fixtures/quickbooks/webhook_signature_vectors.json.
 */
export function verifyIntuitSignature(verifierToken: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', verifierToken).update(rawBody).digest();
  const given = canonicalBase64(header);
  return given !== undefined && constantTimeEqual(given, expected);
}
