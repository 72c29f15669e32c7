"""The one classification every consumer uses: an outage is waited out, the record's own fault is
dead-lettered (docs/operations.md §What counts as an outage)."""

import uuid

import asyncpg
import asyncpg.exceptions as pg
import asyncpg.exceptions._base
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RequestTimedOutError,
    TopicAuthorizationFailedError,
)

from shared.eventstore.port import VersionConflictError
from shared.service.retry import NotReadyError, is_transient, worth_retrying

pytestmark = pytest.mark.unit

OUTAGES: list[type[BaseException]] = [
    pg.ReadOnlySQLTransactionError,  # 25006: a read-only database, a standby promoted late
    pg.DiskFullError,  # 53100
    pg.OutOfMemoryError,  # 53200
    pg.TooManyConnectionsError,  # 53300
    pg.QueryCanceledError,  # 57014: statement_timeout, pg_cancel_backend
    pg.AdminShutdownError,  # 57P01
    pg.CannotConnectNowError,  # 57P03
    pg.SerializationError,  # 40001
    pg.DeadlockDetectedError,  # 40P01
    pg.LockNotAvailableError,  # 55P03
    pg.IdleInTransactionSessionTimeoutError,  # 25P03
    pg.ConnectionDoesNotExistError,
    pg.PostgresIOError,  # 58030
    asyncpg.InterfaceError,
    NotReadyError,
    ConnectionResetError,
    TimeoutError,
    KafkaConnectionError,
    RequestTimedOutError,
    KafkaTimeoutError,  # Kafka flags it not retriable, yet a dead broker raises it
    TopicAuthorizationFailedError,  # an operator's fix: a dead letter could not get around it
]
RECORDS_FAULT: list[type[BaseException]] = [
    asyncpg.exceptions._base.DataError,  # a value asyncpg cannot encode for its column
    pg.DataError,  # 22000
    pg.InvalidTextRepresentationError,  # 22P02
    pg.StringDataRightTruncationError,  # 22001
    pg.NumericValueOutOfRangeError,  # 22003
    pg.CheckViolationError,  # 23514
    pg.ProgramLimitExceededError,  # 54000: an index row too large for a huge value
    MessageSizeTooLargeError,
    RecordTooLargeError,
    ValueError,
    KeyError,
]


@pytest.mark.parametrize("kind", OUTAGES, ids=lambda kind: kind.__name__)
def test_an_outage_is_retried(kind: type[BaseException]) -> None:
    assert is_transient(kind("the server cannot do it now"))
    assert worth_retrying(kind("the server cannot do it now"))


@pytest.mark.parametrize("kind", RECORDS_FAULT, ids=lambda kind: kind.__name__)
def test_the_records_own_fault_is_not_retried(kind: type[BaseException]) -> None:
    assert not is_transient(kind("this record is wrong"))
    assert not worth_retrying(kind("this record is wrong"))


def test_a_stream_that_moved_under_a_decision_is_decided_again_but_is_no_outage() -> None:
    error = VersionConflictError(uuid.uuid4(), 3, 4)
    assert worth_retrying(error)
    assert not is_transient(error)
