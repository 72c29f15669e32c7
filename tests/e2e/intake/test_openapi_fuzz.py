"""schemathesis against intake's own OpenAPI, served by intake as a process: every operation, with the
documented examples, boundary values and generated inputs (valid and not), must answer no 5xx, only the
statuses it documents, with the content type and body schema documented (docs/testing.md §Fuzzing).

schemathesis's own command line runs it (its pytest loader does not run on this pytest); the number of
cases per operation is bounded so the run takes well under a minute. Its JSON report gives the count of
requests sent, printed for the record.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.testing.servers import ServiceProcess

pytestmark = pytest.mark.e2e
EXAMPLES = 30
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The complaint budgets would answer most filings 429 (documented, but it hides the validation paths).
GENEROUS_BUDGETS = {"COMPLAINTS_PER_PHONE_PER_HOUR": "1000000", "COMPLAINTS_PER_IP_PER_HOUR": "1000000"}
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_every_operation_answers_what_it_documents(service_env: dict[str, str], tmp_path: Path) -> None:
    intake = ServiceProcess("intake", service_env | GENEROUS_BUDGETS, tmp_path / "intake.log")
    intake.start()
    report = tmp_path / "report.json"
    try:
        finished = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{intake.url}/openapi.json", "--checks", CHECKS,
             "--max-examples", str(EXAMPLES), "--phases", "examples,coverage,fuzzing", "--seed", "24",
             "--workers", "2", "--generation-database", "none", "--no-color", "--report", "json",
             "--report-json-path", str(report), "--header", "Authorization: Bearer dev-working-group"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        intake.stop()
    cases = json.loads(report.read_text())["test_cases"] if report.exists() else {}
    print(
        f"\nschemathesis: {cases.get('generated')} requests to intake, {cases.get('with_failures')} failing"
    )
    assert finished.returncode == 0, finished.stdout[-20000:]
    assert cases["generated"] >= 500  # every operation was exercised, not skipped
