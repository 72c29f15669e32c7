-- The event store (docs/architecture.md §Principles): one row per case event, optimistic concurrency on
-- (case_id, version), idempotency keys unique per case stream, and the outbox the relay drains.
CREATE TABLE events (
    position        bigserial PRIMARY KEY,
    event_id        uuid        NOT NULL,
    case_id         uuid        NOT NULL,
    version         integer     NOT NULL CHECK (version >= 1),
    type            text        NOT NULL,
    schema_version  integer     NOT NULL,
    idempotency_key text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    producer        text        NOT NULL,
    causation_id    uuid,
    correlation_id  uuid,
    actor_kind      text        NOT NULL,
    actor_id        text        NOT NULL,
    data            jsonb       NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_event_id UNIQUE (event_id),
    CONSTRAINT events_stream_version UNIQUE (case_id, version),
    CONSTRAINT events_stream_key UNIQUE (case_id, idempotency_key)
);

-- Rows wait here until the relay has published them to case-events; written in the same
-- transaction as their event, so nothing is stored without being published (no dual writes).
CREATE TABLE outbox (
    id       bigserial PRIMARY KEY,
    case_id  uuid NOT NULL,
    event_id uuid NOT NULL,
    payload  text NOT NULL
);

-- (The personal-data vault, once created here, is intake's: services/intake/sql/0002_vault.sql.)

-- Which events each consumer group has handled, written in the handler's own transaction so a
-- redelivered event is recognised and skipped (effectively once).
CREATE TABLE consumer_tracking (
    consumer   text        NOT NULL,
    event_id   uuid        NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
