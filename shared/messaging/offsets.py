"""Committing a consumed batch's offsets, and crashing when the Kafka client is stuck for good.

The chaos run found aiokafka's group coordinator able to hang for ever after the broker died under an
offset commit: the broker came back and every other client found it again, but that consumer's commit
waited on a coordinator lookup that never ended, and its partitions were never read again. No retry in
the process gets out of that state, so the process leaves: a commit that hangs past ``hung_after`` while
the broker answers (a metadata request on the service's producer) exits the process, and its supervisor
(``make run``, docker compose's ``restart: unless-stopped``, the test stacks) starts it afresh. Nothing is
lost: the batch was handled and tracked in PostgreSQL, the new consumer is handed it again, and the
tracking rows (or the filing keys) skip it. While the broker does not answer it is an outage, which is
waited out as long as it lasts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer
from aiokafka.errors import CommitFailedError

from shared.service.retry import until_done

log = logging.getLogger(__name__)
COMMIT_TIMEOUT = 60.0  # seconds a commit may take while the broker answers; a healthy one takes milliseconds
PROBE_TIMEOUT = 10.0
EXIT_STUCK = 75  # EX_TEMPFAIL: start me again


class StuckConsumerError(Exception):
    """The broker answers, yet this consumer's offset commit does not finish."""


async def broker_answers(producer: AIOKafkaProducer) -> bool:
    """True when the cluster answers a metadata request on ``producer``'s own connections."""
    try:
        await asyncio.wait_for(producer.client.fetch_all_metadata(), PROBE_TIMEOUT)
    except Exception:
        return False
    return True


def exit_for_a_restart(error: StuckConsumerError) -> None:
    """Leave at once (no shutdown code: it would wait on the stuck client) for the supervisor to restart."""
    log.critical("%s: exiting with %d so that the process is started afresh", error, EXIT_STUCK)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(EXIT_STUCK)


async def commit_offsets(
    group: str,
    ack: Callable[[], Awaitable[None]],
    probe: Callable[[], Awaitable[bool]],
    *,
    hung_after: float = COMMIT_TIMEOUT,
    on_stuck: Callable[[StuckConsumerError], None] = exit_for_a_restart,
) -> None:
    """Commit with ``ack``, retrying through outages; ``on_stuck`` if it hangs while ``probe`` says True."""

    async def attempt() -> None:
        try:
            await asyncio.wait_for(ack(), hung_after)
        except CommitFailedError as error:
            # The group rebalanced: the partitions are someone else's now, and the records' idempotency
            # (tracking rows, filing keys) keeps the new owner from handling them twice. (A KafkaError,
            # so it is caught here: until_done would take it for an outage and retry it for ever.)
            log.warning("%s: offsets not committed after a rebalance: %s", group, error)
        except TimeoutError:
            if await probe():
                on_stuck(StuckConsumerError(f"{group}: offset commit hung {hung_after:g} s, broker answers"))
            raise

    await until_done(f"{group}: commit offsets", attempt, log=log)
