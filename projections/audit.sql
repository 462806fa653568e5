-- The audit trail: one row per event across all studios.
CREATE TABLE audit_trail_{g} (
    position        bigint PRIMARY KEY,
    studio_id       uuid NOT NULL,
    version         integer NOT NULL,
    type            text NOT NULL,
    actor           text NOT NULL,
    role            text NOT NULL,
    recorded_at     timestamptz NOT NULL,
    effective_on    date NOT NULL,
    correlation_id  text NOT NULL,
    request_id      text NOT NULL,
    summary         text NOT NULL
);

-- indexes:
-- (created after the rows when a generation is built from scratch)
CREATE INDEX ON audit_trail_{g} (studio_id, position);
CREATE INDEX ON audit_trail_{g} (actor, position);
CREATE INDEX ON audit_trail_{g} (type, position);
CREATE INDEX ON audit_trail_{g} (recorded_at);
