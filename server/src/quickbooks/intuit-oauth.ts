import OAuthClient from 'intuit-oauth';
import { z } from 'zod';
import type { Config } from '../config';
import { GrantRevokedError, RefreshFailedError } from '../errors';

/**
 * Intuit OAuth through the official `intuit-oauth` client. Its endpoint URLs are process-wide statics
 * (setAuthorizeURLs), so every call sets them from the config immediately before the library builds its request
 * (synchronously): two configurations in one process (tests, several simulators) never see each other's URLs.
 */
export const QBO_ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  x_refresh_token_expires_in: z.coerce.number().int().positive().optional(),
  x_refresh_token_hard_expires_in: z.coerce.number().int().positive().optional(),
});

export interface IntuitTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date | null;
  refreshHardExpiresAt: Date | null;
}

/**
 * intuit-oauth sets no timeout on token calls (axios waits forever). A refresh runs under the connection's row lock,
 * so a hung call would hold it, and a database connection, indefinitely. Past this bound DealBooks gives up on the
 * answer: if Intuit did rotate the token meanwhile, the previous refresh token still works for about 24 hours and
 * the next refresh gets the current pair.
 */
export const TOKEN_CALL_TIMEOUT_MS = 30_000;

export class IntuitOAuth {
  constructor(
    private readonly config: Config,
    private readonly timeoutMs = TOKEN_CALL_TIMEOUT_MS,
  ) {}

  get redirectUri(): string {
    return `${this.config.publicBaseUrl}/oauth/quickbooks/callback`;
  }

  private client(): OAuthClient {
    const q = this.config.quickbooks;
    if (!q.clientId || !q.clientSecret) throw new Error('QBO_CLIENT_ID and QBO_CLIENT_SECRET are not configured');
    const client = new OAuthClient({
      clientId: q.clientId,
      clientSecret: q.clientSecret,
      environment: q.environment,
      redirectUri: this.redirectUri,
      // Intuit caps every refresh token at 5 years; ask for that hard expiry too, so the settings page can warn in
      // time (blogs.intuit.com/2025/11/12/important-changes-to-refresh-token-policy/).
      includeRefreshTokenHardExpiresIn: true,
      logging: false,
    } as ConstructorParameters<typeof OAuthClient>[0]);
    client.setAuthorizeURLs({
      authorizeEndpoint: q.authorizeUrl,
      tokenEndpoint: q.tokenUrl,
      revokeEndpoint: q.revokeUrl,
      userInfoEndpoint: `${q.tokenUrl.replace(/\/oauth2\/v1\/tokens\/bearer$/, '')}/v1/openid_connect/userinfo`,
    });
    return client;
  }

  authorizeUrl(state: string): string {
    return this.client().authorizeUri({ scope: [QBO_ACCOUNTING_SCOPE], state });
  }

  /** Exchanges the callback's code. `callbackUrl` is the full URL Intuit redirected to (code, state, realmId). */
  async exchange(callbackUrl: string, now: Date): Promise<IntuitTokens> {
    const client = this.client();
    const pending = client.createToken(callbackUrl);
    return toTokens(await this.bounded(pending, 'code exchange'), now);
  }

  async refresh(refreshToken: string, now: Date): Promise<IntuitTokens> {
    const client = this.client();
    const pending = client.refreshUsingToken(refreshToken);
    return toTokens(await this.bounded(pending, 'refresh'), now);
  }

  /** Revokes the grant (a refresh token revokes the access tokens issued from it as well). */
  async revoke(refreshToken: string): Promise<void> {
    const client = this.client();
    await this.bounded(client.revoke({ refresh_token: refreshToken }), 'revoke');
  }

  private async bounded<T>(pending: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RefreshFailedError(`Intuit did not answer the token ${what} within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([pending.catch(rethrow), timeout]);
    } finally {
      clearTimeout(timer);
      pending.catch(() => undefined); // an answer after the timeout is dropped, never an unhandled rejection
    }
  }
}

function toTokens(authResponse: unknown, now: Date): IntuitTokens {
  const json = (authResponse as { json?: unknown; getJson?: () => unknown })?.json ?? (authResponse as { getJson?: () => unknown })?.getJson?.();
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) throw new RefreshFailedError('Intuit answered the token request without the expected fields');
  const t = parsed.data;
  const at = (seconds: number | undefined) => (seconds === undefined ? null : new Date(now.getTime() + seconds * 1000));
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    accessExpiresAt: at(t.expires_in)!,
    refreshExpiresAt: at(t.x_refresh_token_expires_in),
    refreshHardExpiresAt: at(t.x_refresh_token_hard_expires_in),
  };
}

/**
 * intuit-oauth's errors carry the OAuth error code in `error` (`invalid_grant`: the grant is dead and only a person
 * can fix it). Everything else may pass (network, 5xx after its own three retries, throttling). The library's
 * error objects hold the whole response, tokens included, so they are never passed on as a cause or logged.
 */
function rethrow(err: unknown): never {
  const code = typeof err === 'object' && err !== null ? (err as { error?: unknown }).error : undefined;
  const description = typeof err === 'object' && err !== null ? (err as { error_description?: unknown }).error_description : undefined;
  if (code === 'invalid_grant') throw new GrantRevokedError(`Intuit refused the grant (invalid_grant${description ? `: ${String(description)}` : ''})`);
  if (code === 'invalid_client') throw new RefreshFailedError('Intuit refused DealBooks\' client credentials (invalid_client): check QBO_CLIENT_ID and QBO_CLIENT_SECRET');
  const status = (err as { authResponse?: { response?: { status?: number } } })?.authResponse?.response?.status;
  const message = typeof code === 'string' && code ? code : err instanceof Error ? err.message : 'unknown error';
  throw new RefreshFailedError(`Intuit token request failed${status ? ` (HTTP ${status})` : ''}: ${message.slice(0, 200)}`);
}
