-- Up Migration
--
-- Connections: what the install and connect flows, the token refresh and request authentication need on
-- top of the first schema.

-- Each refresh bumps token_version. A caller that got a 401 with version N asks for "a token newer than N": if
-- another process already refreshed, it takes that one instead of refreshing again (a single refresh per expiry).
ALTER TABLE qbo_connections ADD COLUMN token_version integer NOT NULL DEFAULT 1;
ALTER TABLE hubspot_credentials ADD COLUMN token_version integer NOT NULL DEFAULT 1;
-- Who connected (e-mail is shown on the settings page: "connected by ..."); deleted with the account.
ALTER TABLE qbo_connections ADD COLUMN connected_by_user_email text;
ALTER TABLE qbo_connections ADD COLUMN country text;

-- The QuickBooks connect flow starts from a signed card request that returns a one-time URL (a "ticket"); opening
-- it creates the OAuth state that goes to Intuit. Both are single-use rows here, hashed.
ALTER TABLE oauth_states ADD COLUMN purpose text NOT NULL DEFAULT 'authorize' CHECK (purpose IN ('authorize', 'connect_ticket'));
ALTER TABLE oauth_states ADD COLUMN user_email text;

-- Signed requests already seen (HubSpot v3 signature, hashed), kept for the signature window: a replay of the same
-- signed request inside the window is refused. HubSpot's own retry is a new request with a new timestamp.
CREATE TABLE seen_request_signatures (
  signature_sha256   bytea PRIMARY KEY,
  expires_at         timestamptz NOT NULL
);
CREATE INDEX seen_request_signatures_expiry ON seen_request_signatures (expires_at);

-- Jobs waiting for a person to reconnect QuickBooks (or HubSpot): neither failed nor lost, woken on reconnect.
CREATE TABLE waiting_jobs (
  job_id        uuid PRIMARY KEY,
  queue         text NOT NULL,
  portal_id     bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  reason        text NOT NULL,
  waiting_since timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waiting_jobs_portal ON waiting_jobs (portal_id);

-- Down Migration
DROP TABLE waiting_jobs;
DROP TABLE seen_request_signatures;
ALTER TABLE oauth_states DROP COLUMN user_email;
ALTER TABLE oauth_states DROP COLUMN purpose;
ALTER TABLE qbo_connections DROP COLUMN country;
ALTER TABLE qbo_connections DROP COLUMN connected_by_user_email;
ALTER TABLE hubspot_credentials DROP COLUMN token_version;
ALTER TABLE qbo_connections DROP COLUMN token_version;
