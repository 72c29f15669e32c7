"""Profiles a whole service process with cProfile when ``BENCH_PROFILE_DIR`` is set (py-spy and yappi are
not installed). ``python -m bench.e2e --profile`` puts this directory on the services' ``PYTHONPATH``;
Python imports ``sitecustomize`` at start-up, and the profile is written to ``<dir>/<service>-<pid>.prof``
when the process exits. uvicorn, after its graceful shutdown, raises the SIGTERM it caught again with the
handler it found: the one installed here, which writes the profile and exits.
"""

from __future__ import annotations

import os

if os.environ.get("BENCH_PROFILE_DIR"):
    import atexit
    import cProfile
    import signal
    import sys
    import time
    from pathlib import Path
    from types import FrameType

    _profile = cProfile.Profile(time.process_time)  # CPU time: an event loop's waits are not costs

    def _dump() -> None:
        _profile.disable()
        name = Path(sys.argv[0]).parent.name or "python"  # python -m services.<name>: .../<name>/__main__.py
        _profile.dump_stats(Path(os.environ["BENCH_PROFILE_DIR"]) / f"{name}-{os.getpid()}.prof")

    def _terminated(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)  # atexit runs

    atexit.register(_dump)
    signal.signal(signal.SIGTERM, _terminated)
    _profile.enable()
