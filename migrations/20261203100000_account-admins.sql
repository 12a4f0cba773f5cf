-- Up Migration
--
-- DealBooks admins: the HubSpot users of an account who may change what DealBooks does there (settings, product
-- mappings, customer decisions, the QuickBooks connection, leaving DealBooks, and this list itself). Every other
-- user of the account sees the settings page read-only. A table of its own rather than a key of the settings
-- document: the settings are replaced whole by a save and fall back to defaults when a stored value no longer
-- parses, and neither may ever grant or drop an admin; a row per admin also says who added whom and when.
CREATE TABLE portal_admins (
  portal_id           bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  -- A HubSpot user id, as text (the signed request's userId).
  user_id             text NOT NULL CHECK (user_id ~ '^[1-9][0-9]{0,19}$'),
  -- Null: the user installed DealBooks (or was recorded as its installer when admins were introduced).
  added_by_user_id    text,
  added_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, user_id)
);

-- Accounts installed before admins existed: the user who installed DealBooks is their first admin. An account with
-- no installer on record gets none; a HubSpot user who installs DealBooks again there becomes its admin.
INSERT INTO portal_admins (portal_id, user_id)
SELECT portal_id, installed_by_user_id::text FROM hubspot_credentials WHERE installed_by_user_id > 0
ON CONFLICT DO NOTHING;

-- Down Migration
DROP TABLE portal_admins;
