-- Up Migration
--
-- The first schema: what issue after issue needs. Every row that belongs to a HubSpot account carries portal_id
-- and references portals(portal_id) ON DELETE CASCADE, so one account's data can never be read through another's
-- key and "delete everything for this account" is one statement. Tokens are stored only encrypted
-- (AES-256-GCM: ciphertext with its nonce and tag, plus the id of the key that sealed it, so keys can rotate).

-- A HubSpot account (hub id) that installed DealBooks.
CREATE TABLE portals (
  portal_id        bigint PRIMARY KEY CHECK (portal_id > 0),
  hub_domain       text,
  status           text NOT NULL DEFAULT 'installed' CHECK (status IN ('installed', 'uninstalled')),
  installed_at     timestamptz NOT NULL DEFAULT now(),
  uninstalled_at   timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The HubSpot OAuth grant of a portal (one per portal; re-installing replaces the tokens).
CREATE TABLE hubspot_credentials (
  portal_id               bigint PRIMARY KEY REFERENCES portals (portal_id) ON DELETE CASCADE,
  access_token_cipher     bytea NOT NULL,
  refresh_token_cipher    bytea NOT NULL,
  key_id                  text NOT NULL,
  access_expires_at       timestamptz NOT NULL,
  scopes                  text[] NOT NULL DEFAULT '{}',
  installed_by_user_id    bigint,
  status                  text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect', 'revoked')),
  failed_refresh_count    integer NOT NULL DEFAULT 0,
  last_error              text,
  last_refreshed_at       timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);

-- A QuickBooks Online company connected to a portal. Disconnected rows are kept (history; links point at them);
-- at most one connection per portal is live at a time.
CREATE TABLE qbo_connections (
  id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portal_id                  bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  realm_id                   text NOT NULL,
  environment                text NOT NULL CHECK (environment IN ('sandbox', 'production')),
  status                     text NOT NULL DEFAULT 'connected'
                             CHECK (status IN ('connected', 'needs_reconnect', 'disconnected')),
  company_name               text,
  home_currency              char(3),
  multicurrency_enabled      boolean,
  book_close_date            date,
  custom_txn_numbers         boolean,
  access_token_cipher        bytea,
  refresh_token_cipher       bytea,
  key_id                     text,
  access_expires_at          timestamptz,
  refresh_expires_at         timestamptz,
  refresh_hard_expires_at    timestamptz,
  failed_refresh_count       integer NOT NULL DEFAULT 0,
  last_error                 text,
  last_refreshed_at          timestamptz,
  connected_by_user_id       bigint,
  connected_at               timestamptz NOT NULL DEFAULT now(),
  disconnected_at            timestamptz,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  -- tokens exist exactly while the connection is not disconnected
  CHECK ((status = 'disconnected') = (refresh_token_cipher IS NULL)),
  UNIQUE (portal_id, id)
);
CREATE UNIQUE INDEX qbo_connections_one_live_per_portal ON qbo_connections (portal_id) WHERE status <> 'disconnected';
CREATE INDEX qbo_connections_realm ON qbo_connections (realm_id) WHERE status <> 'disconnected';
CREATE INDEX qbo_connections_refresh_due ON qbo_connections (access_expires_at) WHERE status = 'connected';

-- Single-use OAuth states (install and connect flows). Only a hash of the state is stored.
CREATE TABLE oauth_states (
  state_hash     bytea PRIMARY KEY,
  provider       text NOT NULL CHECK (provider IN ('hubspot', 'quickbooks')),
  -- unknown for a HubSpot install (the account is learned from the token); required for a QuickBooks connect
  portal_id      bigint REFERENCES portals (portal_id) ON DELETE CASCADE,
  user_id        bigint,
  redirect_uri   text NOT NULL,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (provider = 'hubspot' OR portal_id IS NOT NULL)
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);

-- Every webhook delivery as received: the raw body and the headers needed to re-verify it. Stored before any
-- parsing, so a malformed delivery is kept (status 'failed', with the reason) instead of lost. Not keyed by one
-- portal: it is stored before it is parsed and one delivery may carry events of several accounts. portal_ids
-- records which accounts it turned out to hold, so deleting an account's data can find its raw deliveries too.
CREATE TABLE webhook_deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source          text NOT NULL CHECK (source IN ('hubspot', 'quickbooks')),
  portal_ids      bigint[] NOT NULL DEFAULT '{}',
  received_at     timestamptz NOT NULL DEFAULT now(),
  headers         jsonb NOT NULL DEFAULT '{}',
  body            bytea NOT NULL,
  body_sha256     bytea NOT NULL,
  status          text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed')),
  error           text,
  processed_at    timestamptz
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (source, received_at);
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (received_at) WHERE status = 'failed';
CREATE INDEX webhook_deliveries_portals ON webhook_deliveries USING gin (portal_ids);

-- The inbox: one row per event inside a delivery, de-duplicated on its content (HubSpot's eventId is not unique,
-- and both services re-deliver), keyed by the account it belongs to.
CREATE TABLE webhook_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portal_id       bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  delivery_id     bigint REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
  source          text NOT NULL CHECK (source IN ('hubspot', 'quickbooks')),
  dedupe_key      text NOT NULL,
  event_type      text NOT NULL,
  object_type     text,
  object_id       text,
  occurred_at     timestamptz,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'ignored', 'failed')),
  error           text,
  received_at     timestamptz NOT NULL DEFAULT now(),
  processed_at    timestamptz,
  UNIQUE (portal_id, source, dedupe_key)
);
CREATE INDEX webhook_events_object ON webhook_events (portal_id, object_type, object_id, occurred_at);
CREATE INDEX webhook_events_pending ON webhook_events (received_at) WHERE status = 'pending';

-- A HubSpot object and the QBO entity it corresponds to. The row (with its idempotency key) exists before the
-- QBO write, so every retry of one logical write reuses the same requestid and never creates a second entity.
CREATE TABLE entity_links (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portal_id             bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  connection_id         bigint NOT NULL,
  hubspot_object_type   text NOT NULL CHECK (hubspot_object_type IN ('deal', 'company', 'contact', 'product', 'line_item')),
  hubspot_object_id     text NOT NULL,
  qbo_entity_type       text NOT NULL CHECK (qbo_entity_type IN ('Customer', 'Item', 'Invoice', 'Estimate', 'Payment', 'CreditMemo')),
  qbo_entity_id         text,
  qbo_request_id        text NOT NULL CHECK (length(qbo_request_id) <= 50),
  status                text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'linked', 'needs_review', 'failed', 'unlinked')),
  match_method          text CHECK (match_method IN ('existing', 'email', 'name', 'fuzzy', 'sku', 'created', 'manual')),
  match_score           numeric(5, 4) CHECK (match_score BETWEEN 0 AND 1),
  qbo_sync_token        text,
  content_hash          bytea,
  last_synced_at        timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (portal_id, connection_id) REFERENCES qbo_connections (portal_id, id) ON DELETE CASCADE,
  UNIQUE (connection_id, qbo_request_id)
);
CREATE UNIQUE INDEX entity_links_qbo_entity ON entity_links (connection_id, qbo_entity_type, qbo_entity_id, hubspot_object_type, hubspot_object_id)
  WHERE qbo_entity_id IS NOT NULL;
CREATE INDEX entity_links_hubspot_object ON entity_links (portal_id, hubspot_object_type, hubspot_object_id);

-- Settings per portal, validated by the service's zod schema on every read and write; version guards against
-- lost updates from two admins saving at once.
CREATE TABLE portal_settings (
  portal_id            bigint PRIMARY KEY REFERENCES portals (portal_id) ON DELETE CASCADE,
  settings             jsonb NOT NULL DEFAULT '{}',
  version              integer NOT NULL DEFAULT 1,
  updated_by_user_id   bigint,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- What DealBooks did and why, in words a person can act on: shown on the card and the settings page.
CREATE TABLE sync_log (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portal_id             bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  occurred_at           timestamptz NOT NULL DEFAULT now(),
  level                 text NOT NULL CHECK (level IN ('info', 'warning', 'error')),
  action                text NOT NULL,
  outcome               text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'skipped', 'blocked', 'retrying')),
  message               text NOT NULL,
  hubspot_object_type   text,
  hubspot_object_id     text,
  qbo_entity_type       text,
  qbo_entity_id         text,
  job_id                uuid,
  intuit_tid            text,
  details               jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX sync_log_portal_time ON sync_log (portal_id, occurred_at DESC);
CREATE INDEX sync_log_object ON sync_log (portal_id, hubspot_object_type, hubspot_object_id, occurred_at DESC);

-- Serial execution per key for background jobs (one deal, one QBO company): a lease row per key, taken by the
-- job that runs and released when it ends; a crashed worker's lease runs out with its job's expiry.
CREATE TABLE job_key_leases (
  queue          text NOT NULL,
  lease_key      text NOT NULL,
  job_id         uuid NOT NULL,
  leased_until   timestamptz NOT NULL,
  acquired_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, lease_key)
);

-- Down Migration
DROP TABLE job_key_leases;
DROP TABLE sync_log;
DROP TABLE portal_settings;
DROP TABLE entity_links;
DROP TABLE webhook_events;
DROP TABLE webhook_deliveries;
DROP TABLE oauth_states;
DROP TABLE qbo_connections;
DROP TABLE hubspot_credentials;
DROP TABLE portals;
