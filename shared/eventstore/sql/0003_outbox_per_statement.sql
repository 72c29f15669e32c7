-- One outbox row per appending statement, naming its events in stream order, in place of a row per event
-- holding a copy of its envelope: a batch of 100 events writes one small row instead of 100 large ones,
-- and the relay reads the events themselves. Rows still waiting are carried over in their order.
CREATE TABLE outbox_statements (
    id        bigserial PRIMARY KEY,
    event_ids uuid[] NOT NULL CHECK (cardinality(event_ids) > 0)
);
INSERT INTO outbox_statements (event_ids) SELECT ARRAY[event_id] FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_statements RENAME TO outbox;
ALTER INDEX outbox_statements_pkey RENAME TO outbox_pkey;
ALTER SEQUENCE outbox_statements_id_seq RENAME TO outbox_id_seq;

-- Every statement that stores events queues them here itself, whatever wrote them (a single-row INSERT, an
-- INSERT .. SELECT, a binary COPY): no write path can forget the outbox, and a COPY needs no second
-- statement, and so no transaction of its own.
CREATE FUNCTION queue_stored_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (event_ids)
    SELECT array_agg(event_id ORDER BY case_id, version) FROM stored HAVING count(*) > 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_queued AFTER INSERT ON events REFERENCING NEW TABLE AS stored
    FOR EACH STATEMENT EXECUTE FUNCTION queue_stored_events();
