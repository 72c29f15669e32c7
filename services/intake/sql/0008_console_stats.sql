-- The console's statistics page (docs/console.md §Statistics) reads the event store's `events` for the
-- answers and missed deadlines of the last 30 days, and for each answer the step that gave its unit the
-- case. Without these two small partial indexes it scanned the whole table twice and fetched a heap row per
-- answer: bench-console measured the page's queries at 0.6 to 0.9 s over 100,000 cases (400,000 events),
-- and 0.3 to 0.45 s with them (docs/numbers.md). Only events of the named types enter them, so an append of
-- any other event does not touch them. They live in intake's migrations because the console, intake's,
-- is their only reader.
CREATE INDEX events_console_answers ON events (occurred_at)
    WHERE type IN ('CaseAcknowledged', 'CaseResolved', 'SlaBreached');
CREATE INDEX events_console_reached ON events (case_id, version) INCLUDE (occurred_at)
    WHERE type IN ('CaseAssigned', 'CaseEscalated');
