/**
 * Intuit's OpenID Connect discovery documents, served with the simulator's own endpoint URLs so a client that
 * configures itself from discovery ends up talking to the simulator.
 *
 * Intuit publishes two documents on developer.api.intuit.com (python's intuitlib and dlt-hub/verified-sources
 * `sources/quickbooks_online/settings.py` use these URLs):
 *   /.well-known/openid_sandbox_configuration   (sandbox; its userinfo_endpoint is on sandbox-accounts.platform.intuit.com)
 *   /.well-known/openid_configuration           (production; userinfo on accounts.intuit.com)
 * Keys, order and values other than URLs follow fixture oauth_discovery_document_dotnet_sdk_test.json. On the
 * simulator both environments share one origin, so both documents name the same endpoints.
 *
 * `issuer` stays Intuit's identifier, not the simulator's URL: it is what the id_tokens carry in `iss`
 * (oauth-id-token.ts), and the two must be equal for a discovery-based OIDC client to accept an id_token, while
 * intuit-oauth's validateIdToken compares `iss` with the hard-coded 'https://oauth.platform.intuit.com/op/v1'.
 */
import { ID_TOKEN_ISSUER, JWKS_PATH } from './oauth-id-token';

export const DISCOVERY_PATHS = {
  sandbox: '/.well-known/openid_sandbox_configuration',
  production: '/.well-known/openid_configuration',
} as const;

export interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  scopes_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  claims_supported: string[];
}

/** The endpoint paths the document points at (the same ones oauth-routes.ts serves). */
export interface DiscoveryEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  userInfo: string;
}

/** `baseUrl` is the simulator's origin as the client reached it (no trailing slash). */
export function discoveryDocument(baseUrl: string, paths: DiscoveryEndpoints): DiscoveryDocument {
  return {
    issuer: ID_TOKEN_ISSUER,
    authorization_endpoint: `${baseUrl}${paths.authorize}`,
    token_endpoint: `${baseUrl}${paths.token}`,
    userinfo_endpoint: `${baseUrl}${paths.userInfo}`,
    revocation_endpoint: `${baseUrl}${paths.revoke}`,
    jwks_uri: `${baseUrl}${JWKS_PATH}`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile', 'address', 'phone'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    claims_supported: ['aud', 'exp', 'iat', 'iss', 'realmid', 'sub'],
  };
}
