-- The relay sends each event's type as a Kafka header, so consumers skip the types they ignore
-- without decoding them.
ALTER TABLE outbox ADD COLUMN type text;
