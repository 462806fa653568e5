-- The register: one row per studio, as GET /api/v1/studios/{id} describes it.
CREATE TABLE register_studios_{g} (
    id                       uuid PRIMARY KEY,
    case_no                  text NOT NULL,
    version                  integer NOT NULL,
    status                   text NOT NULL,
    level                    text NOT NULL,
    name                     text NOT NULL,
    -- single characters and pairs of the name: Chinese has no spaces to split words on
    name_grams               text[] NOT NULL,
    occupation               text NOT NULL,
    county                   text NOT NULL,
    master_name              text NOT NULL,
    master_id_masked         text NOT NULL,
    master_qualification     text,
    host_kind                text NOT NULL,
    host_name                text NOT NULL,
    host_credit_code         text NOT NULL,
    submitted_on             date NOT NULL,
    award_decision_no        text,
    award_published_on       date,
    plaque_no                text,
    construction_paid_fen    bigint NOT NULL,
    apprenticeship_paid_fen  bigint NOT NULL,
    -- young people reaching 中级工 or higher in each award year, the running year last
    -- (casework.domain.training; judged on a day by training_duty and by the register's filter)
    training_per_award_year  integer[] NOT NULL,
    apprentices              integer NOT NULL,
    last_period              text,
    last_base                numeric(6, 1),
    last_bonus               numeric(6, 1),
    last_total               numeric(6, 1),
    last_grade               text,
    last_evaluated_on        date,
    rectification_reason     text,
    rectification_ordered_on date,
    rectification_deadline   date,
    rectification_reviewed_on date,
    rectification_review_passed boolean,
    next_evaluation_due      date,
    -- honours of the master, members and apprentices (第六条(三)(五)), as a list
    honours                  jsonb NOT NULL,
    inspections              integer NOT NULL,
    province_recommendations integer[] NOT NULL,
    revocation_ground        text,
    closed_on                date,
    position                 bigint NOT NULL,
    updated_at               timestamptz NOT NULL,
    -- the domain's own state, so that the next event is folded by the domain's evolve
    state                    bytea NOT NULL
);

-- indexes:
-- (created after the rows when a generation is built from scratch)
CREATE INDEX ON register_studios_{g} (county, status);
CREATE INDEX ON register_studios_{g} (status);
CREATE INDEX ON register_studios_{g} (level);
CREATE INDEX ON register_studios_{g} (occupation);
CREATE INDEX ON register_studios_{g} (last_grade);
CREATE INDEX ON register_studios_{g} (case_no, id);
CREATE INDEX ON register_studios_{g} USING gin (name_grams);
CREATE INDEX ON register_studios_{g} (next_evaluation_due) WHERE next_evaluation_due IS NOT NULL;
CREATE INDEX ON register_studios_{g} (rectification_deadline) WHERE rectification_deadline IS NOT NULL;
