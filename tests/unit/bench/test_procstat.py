"""Reading /proc for the benchmark: this very process's memory and CPU time."""

import os
import subprocess
import sys

import pytest

from bench.procstat import cpu_seconds, peak_rss, rss

pytestmark = pytest.mark.unit


def test_the_peak_resident_set_is_at_least_what_is_resident_now() -> None:
    pid = os.getpid()
    now = rss(pid)
    assert now > 1024 * 1024
    assert peak_rss(pid) >= now


def test_cpu_time_with_descendants_counts_a_child_that_was_waited_for() -> None:
    pid = os.getpid()
    alone, together = cpu_seconds(pid, descendants=False), cpu_seconds(pid)
    spin = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", spin], check=True)
    assert cpu_seconds(pid) - together >= 0.3
    assert cpu_seconds(pid, descendants=False) - alone < 0.3
