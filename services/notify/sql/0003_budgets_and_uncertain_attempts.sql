-- An attempt whose answer was lost (a read timeout, a dropped connection) may have been taken by the
-- provider: when the first such attempt began, so that the next one asks the provider before sending again
-- (docs/contract.md §SMS out).
ALTER TABLE notifications ADD COLUMN uncertain_since timestamptz;

-- Whether the notice has been charged to the SMS spend budgets (shared/privacy/budgets.py): once per
-- notice, however many attempts it takes.
ALTER TABLE notifications ADD COLUMN budgeted boolean NOT NULL DEFAULT false;
