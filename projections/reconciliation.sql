-- Reconciliation reports: stored once, never changed (a trigger refuses UPDATE and DELETE).
CREATE TABLE IF NOT EXISTS casework_reconciliations (
    id          uuid PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    created_by  text NOT NULL,
    filename    text NOT NULL,
    as_of       date,
    summary     jsonb NOT NULL,
    items       jsonb NOT NULL
);
CREATE OR REPLACE FUNCTION casework_reconciliations_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reconciliation reports never change: reconcile again to make a new one';
END $$;
DROP TRIGGER IF EXISTS casework_reconciliations_immutable ON casework_reconciliations;
CREATE TRIGGER casework_reconciliations_immutable BEFORE UPDATE OR DELETE ON casework_reconciliations
    FOR EACH ROW EXECUTE FUNCTION casework_reconciliations_immutable();

-- name: standing_payments
-- Payments in the ledger as of a date (or all), less those reversed by then.
SELECT p.voucher_no, p.studio_id, p.host_credit_code, p.host_name, p.county, p.kind, p.amount_fen, p.effective_on
FROM ledger_lines p
WHERE p.entry = 'payment' AND p.account = 'payable'
  AND (%(as_of)s::date IS NULL OR p.effective_on <= %(as_of)s::date)
  AND NOT EXISTS (
      SELECT 1 FROM ledger_lines r
      WHERE r.entry = 'reversal' AND r.account = 'treasury' AND r.voucher_no = p.voucher_no
        AND (%(as_of)s::date IS NULL OR r.effective_on <= %(as_of)s::date)
  )
