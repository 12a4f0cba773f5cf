-- Up Migration
--
-- The sandbox's simulated HubSpot and QuickBooks keep their world in DATA_DIR, DealBooks keeps its links to that
-- world here. Both carry the id of the world they belong to, so a start that finds the two from different worlds
-- (one wiped, the other not) says so instead of showing one deal another deal's invoice. One row at most.
CREATE TABLE sandbox_world (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  world_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE sandbox_world;
