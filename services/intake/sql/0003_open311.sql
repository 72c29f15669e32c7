-- Open311's GET requests lists the cases filed in a date range, newest first (at most 90 days a query).
CREATE INDEX intake_cases_filed_at ON intake_cases (filed_at);
