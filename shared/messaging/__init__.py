"""Kafka's side of the event store: the effectively-once consumer, dead letters, offsets, the outbox relay."""
