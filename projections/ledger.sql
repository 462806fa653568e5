-- The subsidy ledger: double-entry lines, never edited. Every entry's lines sum to zero.
CREATE TABLE ledger_lines_{g} (
    position          bigint NOT NULL,
    line              smallint NOT NULL,
    studio_id         uuid NOT NULL,
    county            text NOT NULL,
    host_credit_code  text NOT NULL,
    host_name         text NOT NULL,
    kind              text NOT NULL,      -- construction | apprenticeship
    entry             text NOT NULL,      -- commitment | payment | reversal | release
    account           text NOT NULL,      -- commitments | payable | treasury
    amount_fen        bigint NOT NULL,    -- debit positive, credit negative
    voucher_no        text,
    effective_on      date NOT NULL,
    recorded_at       timestamptz NOT NULL,
    PRIMARY KEY (position, line)
);

-- What the ledger needs to know of each studio to post its lines.
CREATE TABLE ledger_studios_{g} (
    studio_id                  uuid PRIMARY KEY,
    level                      text NOT NULL,
    county                     text NOT NULL,
    host_credit_code           text NOT NULL,
    host_name                  text NOT NULL,
    construction_outstanding   bigint NOT NULL DEFAULT 0,
    -- voucher -> kind of each payment, for reversals (which name only the voucher)
    vouchers                   jsonb NOT NULL DEFAULT '{}',
    revoked                    boolean NOT NULL DEFAULT false
);

-- indexes:
-- (created after the rows when a generation is built from scratch)
CREATE INDEX ON ledger_lines_{g} (studio_id, position);
CREATE INDEX ON ledger_lines_{g} (county, position);
CREATE INDEX ON ledger_lines_{g} (host_credit_code);
CREATE INDEX ON ledger_lines_{g} (voucher_no) WHERE voucher_no IS NOT NULL;
CREATE INDEX ON ledger_lines_{g} (effective_on);
