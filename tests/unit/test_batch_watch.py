"""A consumer's batch watch: how long the batch in hand has been held, 0 while none is."""

import pytest

from shared.service.batch_watch import BatchWatch

pytestmark = pytest.mark.unit


def test_a_batch_is_held_from_being_taken_until_the_block_ends_even_by_an_error() -> None:
    now = [100.0]
    watch = BatchWatch("routing", clock=lambda: now[0])
    held: list[float] = []

    def handle_and_fail() -> None:
        with watch.holding():
            now[0] = 130.5
            held.append(watch.held_for())
            raise RuntimeError("the handler failed")

    assert watch.held_for() == 0.0
    with pytest.raises(RuntimeError):
        handle_and_fail()
    assert held == [30.5]
    assert watch.held_for() == 0.0


def test_with_several_consumers_the_batch_held_longest_counts() -> None:
    now = [100.0]
    watch = BatchWatch("intake", clock=lambda: now[0])
    with watch.holding():
        now[0] = 110.0
        with watch.holding():  # a second consumer of the group takes a batch ten seconds later
            now[0] = 112.0
            assert watch.held_for() == 12.0
        assert watch.held_for() == 12.0
    now[0] = 115.0
    with watch.holding():
        now[0] = 116.0
        assert watch.held_for() == 1.0
    assert watch.held_for() == 0.0
