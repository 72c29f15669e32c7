"""The arithmetic of the end-to-end load run: pacing, percentiles, stage rates."""

import pytest

from bench.load import Latency, due, latencies, percentile, span

pytestmark = pytest.mark.unit


def test_the_first_submission_goes_at_once_and_the_rest_one_per_interval() -> None:
    assert [due(t, 100, 1000) for t in (0.0, 0.0099, 0.01, 0.015, 0.5)] == [1, 1, 2, 2, 51]


def test_pacing_never_asks_for_more_than_the_total_nor_anything_before_the_start() -> None:
    assert due(3600.0, 200, 4000) == 4000
    assert due(-0.1, 200, 4000) == 0


def test_a_rate_of_zero_is_flat_out() -> None:
    assert due(0.0, 0, 5000) == 5000


def test_a_paced_run_sends_rate_times_duration_within_one() -> None:
    for rate in (1.0, 50.0, 200.0, 333.3):
        sent = due(10.0, rate, 1_000_000)
        assert rate * 10 <= sent <= rate * 10 + 1


def test_nearest_rank_percentiles_are_values_that_occurred() -> None:
    ordered = [float(n) for n in range(1, 101)]
    assert [percentile(ordered, q) for q in (0, 50, 95, 99, 100)] == [1.0, 50.0, 95.0, 99.0, 100.0]
    assert percentile([0.3], 99) == 0.3
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0


def test_percentile_refuses_no_values_and_a_rank_outside_0_to_100() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_latency_summarises_unsorted_seconds_and_reports_milliseconds() -> None:
    latency = Latency.of([0.2, 0.1, 0.4, 0.3])
    assert latency == Latency(count=4, p50=0.2, p95=0.4, p99=0.4, max=0.4)
    assert latency.json() == {"count": 4, "p50_ms": 200.0, "p95_ms": 400.0, "p99_ms": 400.0, "max_ms": 400.0}


def test_latencies_and_span_count_only_the_submissions_that_reached_the_stage() -> None:
    sent = {"a": 10.0, "b": 10.5, "c": 11.0}
    done = {"a": 10.2, "b": 11.5, "other": 99.0}
    assert sorted(latencies(sent, done)) == pytest.approx([0.2, 1.0])
    assert span(sent, done) == pytest.approx(1.5)  # first sent (a, 10.0) to last reached (b, 11.5)


def test_span_of_a_stage_nobody_reached_is_an_error() -> None:
    with pytest.raises(ValueError, match="no submission"):
        span({"a": 1.0}, {})
