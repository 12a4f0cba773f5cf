-- Up Migration
--
-- The backstop for HubSpot webhooks that never arrived (refused, or given up by HubSpot after its retries): per
-- account, how far the periodic search for won deals without a document has looked. The next run searches deals
-- modified from `checked_through` on, so nothing modified in between is skipped and nothing is searched twice.
CREATE TABLE deal_backstop_checkpoints (
  portal_id        bigint PRIMARY KEY REFERENCES portals (portal_id) ON DELETE CASCADE,
  checked_through  timestamptz NOT NULL,
  last_run_at      timestamptz NOT NULL,
  last_found       integer NOT NULL DEFAULT 0,
  last_queued      integer NOT NULL DEFAULT 0
);

-- Webhook deliveries refused for their signature, counted per source, so a burst (a sender's clock off by more
-- than the 5-minute window, a rotated secret, someone probing) is visible without reading every log line. A burst
-- is a run of refusals with no quiet gap of 15 minutes; it begins again after one.
CREATE TABLE webhook_signature_refusals (
  source            text PRIMARY KEY CHECK (source IN ('hubspot', 'quickbooks')),
  refused_total     bigint NOT NULL,
  burst_started_at  timestamptz NOT NULL,
  burst_refused     integer NOT NULL,
  last_refused_at   timestamptz NOT NULL,
  last_reason       text NOT NULL
);

-- Down Migration
DROP TABLE webhook_signature_refusals;
DROP TABLE deal_backstop_checkpoints;
