"""Consumer lag arithmetic, and which (group, topic) pairs a process reports."""

import pytest
from faststream.kafka import KafkaBroker

from shared.service.lag import Subscription, records_behind, subscriptions

pytestmark = pytest.mark.unit


def test_lag_is_end_minus_committed_summed_over_partitions() -> None:
    end = {0: 100, 1: 50, 2: 7}
    assert records_behind([0, 1, 2], end, start={}, committed={0: 90, 1: 50, 2: 0}) == 10 + 0 + 7


def test_a_partition_never_committed_counts_from_its_log_start() -> None:
    # -1 is the broker's answer for a partition the group has no offset for.
    assert records_behind([0, 1], {0: 100, 1: 40}, start={0: 60, 1: 0}, committed={1: -1}) == 40 + 40


def test_lag_is_never_negative_and_a_partition_without_an_end_counts_nothing() -> None:
    # A committed offset past the end (read after a topic was recreated) is no lag, not a negative one.
    assert records_behind([0, 1], {0: 10}, start={}, committed={0: 12, 1: 5}) == 0


def test_the_groups_and_topics_of_the_brokers_subscribers_are_reported_without_the_topic_prefix() -> None:
    broker = KafkaBroker("127.0.0.1:1")

    @broker.subscriber("t1.case-events", group_id="t1.routing", batch=True)
    @broker.subscriber("t1.case-events", group_id="t1.routing", batch=True)  # a second consumer of it
    async def routing(_: object) -> None: ...

    @broker.subscriber("t1.complaints.submissions", group_id="t1.intake")
    async def intake(_: object) -> None: ...

    @broker.subscriber("t1.replies")  # no group: nothing to be behind on
    async def replies(_: object) -> None: ...

    assert sorted(subscriptions(broker, "t1."), key=lambda s: s.group) == [
        Subscription("intake", "t1.intake", "t1.complaints.submissions"),
        Subscription("routing", "t1.routing", "t1.case-events"),
    ]
