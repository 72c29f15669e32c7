"""The in-memory event store holds to the store contract, without servers."""

import pytest

from shared.eventstore import EventStore, InMemoryEventStore
from tests.contract.eventstore.contract import EventStoreContract

pytestmark = pytest.mark.unit


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> EventStore:
        return InMemoryEventStore()
