-- One outbox row per append, naming its events in stream order, in place of a row per event holding a
-- copy of its envelope: a batch of 100 events writes one small row instead of 100 large ones, and the
-- relay reads the events themselves. Rows still waiting are carried over in their order.
CREATE TABLE outbox_appends (
    id        bigserial PRIMARY KEY,
    event_ids uuid[] NOT NULL CHECK (cardinality(event_ids) > 0)
);
INSERT INTO outbox_appends (event_ids) SELECT ARRAY[event_id] FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_appends RENAME TO outbox;
ALTER INDEX outbox_appends_pkey RENAME TO outbox_pkey;
ALTER SEQUENCE outbox_appends_id_seq RENAME TO outbox_id_seq;
