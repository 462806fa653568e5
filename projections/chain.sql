-- The hash chains (casework.integrity): per studio and global, one row per stored event.
CREATE TABLE chain_links_{g} (
    position     bigint PRIMARY KEY,
    studio_id    uuid NOT NULL,
    version      integer NOT NULL,
    leaf         bytea NOT NULL,
    studio_hash  bytea NOT NULL,
    global_hash  bytea NOT NULL
);

-- indexes:
-- (created after the rows when a generation is built from scratch)
CREATE INDEX ON chain_links_{g} (studio_id, version);
