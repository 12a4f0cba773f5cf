import { z } from 'zod';
import type { Config } from '../config';
import { GrantRevokedError, RefreshFailedError } from '../errors';

/**
 * HubSpot's OAuth endpoints on the 2026-03 paths. @hubspot/api-client 14 only calls the deprecated /oauth/v1/token,
 * which HubSpot switches off on 2027-02-16 (developers.hubspot.com/changelog/v1-oauth-api-deprecation), so these few
 * form posts are ours.
 */
const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  hub_id: z.coerce.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
});

const introspectionSchema = z.object({
  active: z.boolean(),
  hub_id: z.coerce.number().int().positive().optional(),
  app_id: z.coerce.number().int().positive().optional(),
  user_id: z.coerce.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
  hub_domain: z.string().optional(),
});

export interface HubSpotTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  hubId: number | undefined;
  scopes: string[] | undefined;
}

export type Introspection = z.infer<typeof introspectionSchema>;

export class HubSpotOAuth {
  constructor(
    private readonly config: Config,
    private readonly timeoutMs = 15_000,
  ) {}

  get redirectUri(): string {
    return `${this.config.publicBaseUrl}/oauth/hubspot/callback`;
  }

  authorizeUrl(state: string, scopes: readonly string[]): string {
    const url = new URL(this.config.hubspot.authorizeUrl);
    url.searchParams.set('client_id', this.requireClient().clientId);
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('scope', scopes.join(' '));
    url.searchParams.set('state', state);
    return url.toString();
  }

  exchange(code: string, now: Date): Promise<HubSpotTokens> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri }, now);
  }

  refresh(refreshToken: string, now: Date): Promise<HubSpotTokens> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, now);
  }

  async introspect(accessToken: string): Promise<Introspection> {
    const body = await this.post('/oauth/2026-03/token/introspect', { token: accessToken });
    const parsed = introspectionSchema.safeParse(body.json);
    if (!body.ok || !parsed.success) throw new RefreshFailedError(`HubSpot token introspection failed (HTTP ${body.status})`);
    return parsed.data;
  }

  /** The app uninstalls itself from the token's account (DELETE /appinstalls/2026-03/external-install). */
  async uninstall(accessToken: string): Promise<void> {
    const response = await fetch(`${this.config.hubspot.apiBaseUrl}/appinstalls/2026-03/external-install`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok && response.status !== 404) throw new RefreshFailedError(`HubSpot refused the uninstall (HTTP ${response.status})`);
  }

  private requireClient(): { clientId: string; clientSecret: string } {
    const { clientId, clientSecret } = this.config.hubspot;
    if (!clientId || !clientSecret) throw new Error('HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not configured');
    return { clientId, clientSecret };
  }

  private async token(form: Record<string, string>, now: Date): Promise<HubSpotTokens> {
    const body = await this.post('/oauth/2026-03/token', form);
    if (!body.ok) {
      const error = typeof body.json?.error === 'string' ? body.json.error : undefined;
      const status = typeof body.json?.status === 'string' ? body.json.status : undefined;
      // invalid_grant / BAD_REFRESH_TOKEN / BAD_AUTH_CODE: the grant or code is dead; nothing retries it.
      if (error === 'invalid_client') throw new RefreshFailedError('HubSpot refused DealBooks\' client credentials (invalid_client): check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET');
      if (error === 'invalid_grant' || status === 'BAD_REFRESH_TOKEN' || status === 'BAD_AUTH_CODE' || body.status === 401) {
        throw new GrantRevokedError(`HubSpot refused the grant (${error ?? status ?? body.status})`);
      }
      throw new RefreshFailedError(`HubSpot token request failed (HTTP ${body.status}${error ? `, ${error}` : ''})`);
    }
    const parsed = tokenSchema.safeParse(body.json);
    if (!parsed.success) throw new RefreshFailedError('HubSpot answered the token request without the expected fields');
    return {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token,
      accessExpiresAt: new Date(now.getTime() + parsed.data.expires_in * 1000),
      hubId: parsed.data.hub_id,
      scopes: parsed.data.scopes,
    };
  }

  private async post(path: string, form: Record<string, string>): Promise<{ ok: boolean; status: number; json: Record<string, any> | undefined }> {
    const { clientId, clientSecret } = this.requireClient();
    let response: Response;
    try {
      response = await fetch(`${this.config.hubspot.apiBaseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ ...form, client_id: clientId, client_secret: clientSecret }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new RefreshFailedError(`HubSpot could not be reached (${err instanceof Error ? err.name : 'network error'})`);
    }
    const text = await response.text();
    let json: Record<string, any> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, any>) : undefined;
    } catch {
      json = undefined;
    }
    return { ok: response.ok, status: response.status, json };
  }
}
