-- The SLA service's durable deadlines: one row per case with a running clock, holding the next instant
-- the timer must look at it (docs/architecture.md §Principles: derived state, rebuilt by `python -m cli replay
-- sla_deadlines`). Written by the case-events consumer and by the timer after it fires; `version` is the
-- stream version the row was derived from, so that a row never goes back to an older view of its case.
CREATE TABLE sla_deadlines (
    case_id    uuid        PRIMARY KEY,
    due_at     timestamptz NOT NULL,
    clock      text        NOT NULL,  -- acknowledgement, resolution, triage, or refusal (escalate at once)
    unit_id    text        NOT NULL,  -- who owns the clock
    level      integer     NOT NULL,
    version    integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The timer's look for due rows walks this index from its low end: its cost depends on how many rows
-- are due, not on how many are open.
CREATE INDEX sla_deadlines_due_at ON sla_deadlines (due_at);
