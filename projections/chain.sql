-- The hashes of tamper evidence (casework.integrity): each event's hash and its studio's
-- chain, and every complete subtree of the log's Merkle tree (casework.merkle, RFC 9162).
CREATE TABLE chain_links_{g} (
    position     bigint PRIMARY KEY,
    studio_id    uuid NOT NULL,
    version      integer NOT NULL,
    leaf_index   bigint NOT NULL,
    event_hash   bytea NOT NULL,
    studio_hash  bytea NOT NULL
);

-- The subtree of leaves [index * 2^level, (index + 1) * 2^level): level 0 holds the leaves.
CREATE TABLE merkle_nodes_{g} (
    level  smallint NOT NULL,
    index  bigint NOT NULL,
    hash   bytea NOT NULL,
    PRIMARY KEY (level, index)
);

-- indexes:
-- (created after the rows when a generation is built from scratch)
CREATE INDEX ON chain_links_{g} (studio_id, version);
