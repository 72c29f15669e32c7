-- Consumer tracking in a bounded number of rows (shared/messaging/tracking.py), in place of a row per
-- handled event per group kept for ever: per (group, topic, partition) the highest offset handled, which
-- recognises a batch Kafka hands again, and the ids of the events of the last few thousand offsets, which
-- recognise an event the outbox relay published twice. The old rows name no offset, so they cannot be
-- carried over; they only matter to a batch handled but not committed in Kafka, or to events the relay was
-- publishing again, at the moment of the upgrade: stop the services cleanly before it.
DROP TABLE consumer_tracking;

CREATE TABLE consumer_positions (
    consumer    text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    last_offset bigint  NOT NULL,
    PRIMARY KEY (consumer, topic, partition)
);

CREATE TABLE consumer_recent_events (
    consumer      text    NOT NULL,
    event_id      uuid    NOT NULL,
    topic         text    NOT NULL,
    partition     integer NOT NULL,
    record_offset bigint  NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
-- The window's pruning deletes a partition's oldest offsets.
CREATE INDEX consumer_recent_events_window ON consumer_recent_events (consumer, topic, partition, record_offset);
