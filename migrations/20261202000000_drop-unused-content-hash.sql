-- Up Migration
--
-- entity_links.content_hash was created for skipping writes that change nothing, and nothing ever wrote or read it.
-- A column that looks meaningful and is always NULL misleads; it goes until a feature needs it.
ALTER TABLE entity_links DROP COLUMN content_hash;

-- Down Migration
ALTER TABLE entity_links ADD COLUMN content_hash bytea;
