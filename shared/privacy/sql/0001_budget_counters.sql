-- Rate budgets (shared/privacy/budgets.py): one row per budget, subject and fixed window. Subjects are
-- keyed digests, never a phone number or an address. Rows whose window is over are deleted.
CREATE TABLE IF NOT EXISTS budget_counters (
    budget       text        NOT NULL,
    subject      text        NOT NULL,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    used         integer     NOT NULL,
    PRIMARY KEY (budget, subject, window_start)
);
CREATE INDEX IF NOT EXISTS budget_counters_window_end ON budget_counters (window_end);
