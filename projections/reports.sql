-- Reports are queries over the register and the ledger: they have no tables of their own,
-- so they are rebuilt whenever those are. Parameters (asyncpg's, as the API reads them):
-- $1 today, $2 the last day the report reaches.

-- name: evaluations_due
SELECT id, case_no, name, county, status, award_published_on, last_period, next_evaluation_due AS due_on,
       next_evaluation_due < $1 AS overdue
FROM register_studios
WHERE next_evaluation_due IS NOT NULL AND next_evaluation_due <= $2
ORDER BY next_evaluation_due, case_no;

-- name: rectification_deadlines
SELECT id, case_no, name, county, status, rectification_reason, rectification_ordered_on,
       rectification_deadline AS due_on, rectification_deadline < $1 AS overdue
FROM register_studios
WHERE rectification_deadline IS NOT NULL AND rectification_deadline <= $2
ORDER BY rectification_deadline, case_no;

-- name: counts_by_county_and_status
SELECT county, status, count(*) AS studios
FROM register_studios
GROUP BY county, status
ORDER BY county, status;

-- name: subsidy_totals
SELECT kind,
       coalesce(sum(amount_fen) FILTER (WHERE entry = 'commitment' AND account = 'commitments'), 0) AS committed_fen,
       coalesce(sum(amount_fen) FILTER (WHERE entry = 'payment' AND account = 'payable'), 0) AS paid_fen,
       coalesce(sum(amount_fen) FILTER (WHERE entry = 'reversal' AND account = 'treasury'), 0) AS reversed_fen,
       coalesce(sum(amount_fen) FILTER (WHERE entry = 'release' AND account = 'payable'), 0) AS released_fen,
       coalesce(-sum(amount_fen) FILTER (WHERE account = 'payable'), 0) AS outstanding_fen
FROM ledger_lines
GROUP BY kind
ORDER BY kind;
