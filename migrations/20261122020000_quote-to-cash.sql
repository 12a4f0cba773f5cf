-- Up Migration
--
-- Quote to cash: the actions asked of a deal, what DealBooks knows of the QBO documents it made, the
-- customer review list and the sync log's error code.

-- One link per HubSpot object and QBO entity type (a deal has one invoice, one estimate and one billing customer;
-- a company one customer; a product one item). Creating it before the QBO call is what makes a write happen once:
-- a second worker, a retried job or a double click finds the row and its request id instead of writing again.
CREATE UNIQUE INDEX entity_links_one_per_object
  ON entity_links (connection_id, hubspot_object_type, hubspot_object_id, qbo_entity_type)
  WHERE status <> 'unlinked';
-- Candidates and scores of a customer awaiting confirmation, the note posted on the deal's timeline, attempts.
ALTER TABLE entity_links ADD COLUMN details jsonb NOT NULL DEFAULT '{}';
ALTER TABLE entity_links ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX entity_links_review ON entity_links (portal_id, updated_at DESC) WHERE status = 'needs_review';

-- What was asked of a deal (create an invoice or estimate, convert, send, sync after a webhook), by whom, and how it
-- ended. At most one open action of a kind per deal and target: HubSpot retries a failed fetch and people double
-- click, and both must find the action already queued rather than queue a second one.
CREATE TABLE deal_actions (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portal_id             bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  deal_id               text NOT NULL,
  kind                  text NOT NULL CHECK (kind IN ('invoice', 'estimate', 'convert', 'send', 'customer')),
  target_id             text NOT NULL DEFAULT '',
  trigger               text NOT NULL CHECK (trigger IN ('card', 'auto', 'retry')),
  status                text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'blocked')),
  requested_by_user_id  bigint,
  options               jsonb NOT NULL DEFAULT '{}',
  problems              jsonb NOT NULL DEFAULT '[]',
  result                jsonb,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  finished_at           timestamptz
);
CREATE UNIQUE INDEX deal_actions_one_open ON deal_actions (portal_id, deal_id, kind, target_id) WHERE status IN ('queued', 'running');
CREATE INDEX deal_actions_deal ON deal_actions (portal_id, deal_id, created_at DESC);

-- DealBooks' copy of the QBO invoices and estimates of its deals, so the card answers from here in milliseconds
-- whatever state QBO is in. Refreshed after every write (QBO's webhook events are stored but do not refresh it yet).
CREATE TABLE qbo_documents (
  portal_id         bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  connection_id     bigint NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('invoice', 'estimate')),
  qbo_id            text NOT NULL,
  deal_id           text,
  customer_id       text NOT NULL,
  doc_number        text,
  txn_date          date NOT NULL,
  due_date          date,
  expiration_date   date,
  currency          char(3),
  total_cents       bigint NOT NULL,
  balance_cents     bigint,
  tax_cents         bigint NOT NULL DEFAULT 0,
  txn_status        text,
  email_status      text,
  web_url           text NOT NULL,
  linked            jsonb NOT NULL DEFAULT '[]',
  sync_token        text NOT NULL,
  refreshed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, kind, qbo_id),
  FOREIGN KEY (portal_id, connection_id) REFERENCES qbo_connections (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX qbo_documents_deal ON qbo_documents (portal_id, deal_id);

-- The sync log names QBO's error code (6240, 6140, 3001...) next to the words for people, and the action it served.
ALTER TABLE sync_log ADD COLUMN error_code text;
ALTER TABLE sync_log ADD COLUMN deal_action_id bigint REFERENCES deal_actions (id) ON DELETE SET NULL;
CREATE INDEX sync_log_outcome ON sync_log (portal_id, outcome, occurred_at DESC);

-- The QBO company's offset from UTC, as its answers print times: "today" for invoice dates, due dates and overdue.
ALTER TABLE qbo_connections ADD COLUMN utc_offset_minutes integer CHECK (utc_offset_minutes BETWEEN -840 AND 840);

-- Down Migration
ALTER TABLE qbo_connections DROP COLUMN utc_offset_minutes;
DROP INDEX sync_log_outcome;
ALTER TABLE sync_log DROP COLUMN deal_action_id;
ALTER TABLE sync_log DROP COLUMN error_code;
DROP TABLE qbo_documents;
DROP TABLE deal_actions;
DROP INDEX entity_links_review;
ALTER TABLE entity_links DROP COLUMN attempts;
ALTER TABLE entity_links DROP COLUMN details;
DROP INDEX entity_links_one_per_object;
