-- Up Migration
--
-- What happened to a deal in HubSpot beyond its properties: deleted (and perhaps restored), or merged into another
-- deal. A deal without a row is live. Kept so that work, write-backs and webhook events for a deal that is gone are
-- recognised (and, for a merge, sent to the deal that survived), and so that events arriving out of order are judged
-- by when they happened: a deletion that happened before a restore never undoes it.
CREATE TABLE deal_lifecycle (
  portal_id     bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  deal_id       text NOT NULL,
  state         text NOT NULL CHECK (state IN ('live', 'deleted', 'merged')),
  -- The deal that survived the merge (merged deals only).
  merged_into   text,
  -- When HubSpot says the change happened (the event's occurredAt).
  changed_at    timestamptz NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, deal_id),
  CHECK ((state = 'merged') = (merged_into IS NOT NULL)),
  CHECK (merged_into IS DISTINCT FROM deal_id)
);
CREATE INDEX deal_lifecycle_merged_into ON deal_lifecycle (portal_id, merged_into) WHERE merged_into IS NOT NULL;

-- Down Migration
DROP TABLE deal_lifecycle;
