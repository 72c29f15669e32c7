-- Intake's own tables. References are handed out at filing time (the write side); the case status
-- tables are a projection of case-events that `python -m cli replay case_status` rebuilds.

-- One short public reference per case, unique across the system. Written in the filing transaction;
-- derivable again from the ComplaintFiled events should it ever be lost.
CREATE TABLE intake_references (
    reference text PRIMARY KEY,
    case_id   uuid NOT NULL UNIQUE
);

-- The case status projection: one row per case, the state folded from its events.
CREATE TABLE intake_cases (
    case_id       uuid PRIMARY KEY,
    reference     text        NOT NULL UNIQUE,
    version       integer     NOT NULL,
    channel       text        NOT NULL,
    status        text        NOT NULL,
    category      text,
    province      text,
    location      jsonb       NOT NULL,
    subject       jsonb       NOT NULL,
    confidential  boolean     NOT NULL,
    anonymous     boolean     NOT NULL,
    citizen_id    uuid,
    language      text        NOT NULL,
    text          text        NOT NULL,
    level         integer,
    unit          jsonb,
    unit_id       text,
    verdict       text,
    filed_at      timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX intake_cases_inbox ON intake_cases (unit_id, filed_at)
    WHERE status IN ('assigned', 'acknowledged', 'awaiting_citizen');
CREATE INDEX intake_cases_escalations ON intake_cases (filed_at)
    WHERE status = 'needs_triage' OR (level = 2 AND status <> 'resolved');

-- What the public status page lists: each lifecycle event of a case, with its time.
CREATE TABLE intake_timeline (
    case_id uuid        NOT NULL,
    version integer     NOT NULL,
    type    text        NOT NULL,
    at      timestamptz NOT NULL,
    PRIMARY KEY (case_id, version)
);
