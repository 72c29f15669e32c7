"""The PostgreSQL event store holds to the store contract."""

import pytest

from shared.eventstore import EventStore, PostgresEventStore
from tests.contract.eventstore.contract import EventStoreContract

pytestmark = pytest.mark.integration


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    def store(self, event_store: PostgresEventStore) -> EventStore:
        return event_store
