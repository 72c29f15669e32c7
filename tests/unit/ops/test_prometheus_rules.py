"""deploy/prometheus: promtool accepts the configuration and the rules, and every alert's unit tests pass.

Every alert must page a person usefully (a severity, a summary, a runbook section that exists) and have
promtool tests in which it fires and in which it stays quiet. promtool is Debian's (make install).
"""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.prometheus import PROMETHEUS_DIR
from shared.localstack.stack import SERVICE_PORTS
from shared.messenger.send_api import SendOutcome

pytestmark = pytest.mark.unit

RULES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
RUNBOOK = PROJECT_ROOT / "docs" / "runbook.md"
SEVERITIES = {"critical", "warning"}


def promtool(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    program = shutil.which("promtool")
    assert program is not None, "no promtool: install Debian's prometheus package (make install does)"
    return subprocess.run(
        [program, *map(str, arguments)], capture_output=True, text=True, timeout=120, check=False,
        cwd=PROMETHEUS_DIR,
    )  # fmt: skip


def alerts() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            found.extend(rule for rule in group["rules"] if "alert" in rule)
    return found


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of ``markdown``."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_promtool_accepts_the_configuration_with_its_rule_and_target_files() -> None:
    checked = promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{len(RULES)} rule files found" in checked.stdout


def test_promtool_accepts_the_rules() -> None:
    checked = promtool("check", "rules", *RULES)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_promtool_unit_tests_of_the_rules_pass() -> None:
    tested = promtool("test", "rules", *RULE_TESTS)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == len(RULE_TESTS)


def test_every_alert_has_a_severity_a_summary_and_a_runbook_section_that_exists() -> None:
    sections = anchors(RUNBOOK.read_text())
    for alert in alerts():
        name = alert["alert"]
        assert alert["labels"]["severity"] in SEVERITIES, name
        assert alert["annotations"]["summary"].strip(), name
        link = alert["annotations"]["runbook_url"]
        assert link == f"docs/runbook.md#{name.lower()}", name
        assert name.lower() in sections, f"docs/runbook.md has no section {name}"


def test_every_alert_is_tested_firing_and_tested_quiet() -> None:
    fired: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fired if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {alert["alert"] for alert in alerts()}
    assert names - fired == set(), "alerts no test sees firing"
    assert names - quiet == set(), "alerts no test sees quiet"


def test_the_rules_and_their_tests_name_only_outcomes_the_send_api_counts() -> None:
    # A selector of an outcome never emitted matches nothing: the failure alert could never fire.
    emitted = set(get_args(SendOutcome))
    named: set[str] = set()
    for path in [*RULES, *RULE_TESTS]:
        for selected in re.findall(r'messenger_sent_total\{[^}]*outcome=~?"([^"]+)"', path.read_text()):
            named.update(selected.split("|"))
    assert named, "no rule or test selects messenger_sent_total by outcome"
    assert named - emitted == set(), f"outcomes shared/messenger/send_api.py never counts: {named - emitted}"


def test_the_local_targets_are_the_services_of_make_run() -> None:
    groups = yaml.safe_load((PROMETHEUS_DIR / "targets" / "services.yml").read_text())
    assert {group["labels"]["job"]: group["targets"] for group in groups} == {
        name: [f"127.0.0.1:{port}"] for name, port in SERVICE_PORTS.items()
    }
