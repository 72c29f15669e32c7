"""Every service as a process refuses a bad setting or file: exit code 2 and every problem named, before it
connects to anything (the servers it is pointed at are not there, so a service that went on would fail
otherwise). Outside dev mode (``COMPLAINTS_DEV``) the published development values are bad settings too."""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shared.localstack.kafka import PROJECT_ROOT

pytestmark = pytest.mark.e2e

# Nothing listens there: only a service that got past its configuration would find out.
NO_SERVERS = {
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nothing",
}
SERVICES = ("intake", "routing", "sla", "notify")
BAD_UNITS = 'units:\n  - id: police:1203\n    phone: "012"\n'
BAD_TOKENS = "tokens:\n  - name: someone\n    sha256: not-a-hash\n    role: king\n"
BAD_RULES = "rules:\n  - id: Bad Id\n    categories: [nonsense]\n    authority: army\n"
ZERO_DEADLINE = "deadlines: {default: {acknowledgement: {plain: 0s}}}\ntriage: {plain: 1h}\n"
# Sound in itself, but its ladder tops out at a unit the unit registry does not know.
UNKNOWN_TOP_UNIT = """
deadlines:
  default: {acknowledgement: {plain: 1h}, resolution: {plain: 1d}}
ladder:
  - {level: 0, name: assigned unit}
  - {level: 1, name: provincial level}
  - {level: 2, name: working group, unit: nowhere-group}
triage: {plain: 1h}
"""
MISSING = ""  # a file (or a folder's files) not there
SECRET = "secret-auth-token"
DEV = {"COMPLAINTS_DEV": "1"}
# Production values for everything the dev check looks at, so that a case names only what it leaves out.
PRODUCTION = {
    "COMPLAINTS_DEV": "0", "PERSONAL_DATA_KEY": "a-production-key-of-enough-length",
    "SMS_AUTH_TOKEN": SECRET, "FACEBOOK_APP_SECRET": "a-production-app-secret",
    "FACEBOOK_VERIFY_TOKEN": "a-production-verify-token",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "a-production-page-token",
}  # fmt: skip
DEV_KEY = "PERSONAL_DATA_KEY: is the published development value (allowed only with COMPLAINTS_DEV=1)"


@dataclass(frozen=True)
class Bad:
    """A service started with ``settings`` and ``files`` (a path setting and the text of its file)."""

    service: str
    problems: list[str]
    settings: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


CASES = {
    **{
        f"{name}-settings": Bad(
            name,
            ["HTTP_PORT: Input should be greater than or equal to 1",
             "DATABASE_POOL_SIZE: Input should be a valid integer"],
            settings={"HTTP_PORT": "0", "DATABASE_POOL_SIZE": "many", **DEV},
        )
        for name in SERVICES
    },
    "devsms-settings": Bad(
        "devsms", ["HTTP_PORT: Input should be greater than or equal to 1"], settings={"HTTP_PORT": "0"}
    ),
    **{
        f"{name}-units-file": Bad(
            name,
            ["units[0].phone: Value error, '012' is not an E.164 phone number"],
            files={"UNITS_FILE": BAD_UNITS},
            settings=DEV,
        )
        for name in SERVICES
    },
    "intake-tokens-file": Bad(
        "intake",
        ["tokens.0.sha256: String should match pattern", "tokens.0.role: Input should be 'unit'"],
        files={"API_TOKENS_FILE": BAD_TOKENS}, settings=DEV,
    ),
    "routing-rules-file": Bad(
        "routing",
        ["rules/0/id: String should match pattern", "unknown categories ['nonsense']",
         "rules/0/authority: Input should be 'police' or 'local_authority'"],
        files={"ROUTING_RULES_FILE": BAD_RULES}, settings=DEV,
    ),
    "routing-no-rules-file": Bad(
        "routing", ["No such file or directory"], files={"ROUTING_RULES_FILE": MISSING}, settings=DEV
    ),
    "sla-policy-file": Bad(
        "sla",
        ["deadlines.default.acknowledgement.plain: a deadline must be longer than zero"],
        files={"SLA_POLICY_FILE": ZERO_DEADLINE}, settings=DEV,
    ),
    "sla-no-policy-file": Bad(
        "sla", ["(file): No such file or directory"], files={"SLA_POLICY_FILE": MISSING}, settings=DEV
    ),
    "sla-unknown-unit": Bad(
        "sla",
        ["the SLA ladder names units the unit registry does not know: ['nowhere-group']"],
        files={"SLA_POLICY_FILE": UNKNOWN_TOP_UNIT}, settings=DEV,
    ),
    "notify-templates": Bad(
        "notify", ["km.yaml: [Errno 2]", "en.yaml: [Errno 2]"], files={"SMS_TEMPLATES_DIR": MISSING},
        settings=DEV,
    ),
    "notify-lease": Bad(
        "notify",
        ["(settings): Value error, SMS_SEND_LEASE_SECONDS must exceed SMS_REQUEST_TIMEOUT_SECONDS"],
        settings={"SMS_SEND_LEASE_SECONDS": "1", "SMS_AUTH_TOKEN": SECRET, **DEV},
    ),
    # Outside dev mode: each published development value is named, every one at once.
    **{
        f"{name}-dev-key": Bad(name, [DEV_KEY], settings={**PRODUCTION, "PERSONAL_DATA_KEY": ""})
        for name in SERVICES
    },
    "intake-dev-values": Bad(
        "intake",
        [DEV_KEY, "API_TOKENS_FILE: is the development file deploy/dev-tokens.yaml",
         "FACEBOOK_APP_SECRET: is the published development value",
         "FACEBOOK_VERIFY_TOKEN: is the published development value",
         "FACEBOOK_PAGE_ACCESS_TOKEN: is the published development value",
         "SMS_AUTH_TOKEN: is empty (allowed only with COMPLAINTS_DEV=1)"],
        settings={"COMPLAINTS_DEV": "0"},
    ),
    # Blank (whitespace: an empty setting here means left unset), the secret would let anyone sign a delivery.
    "intake-blank-messenger-secrets": Bad(
        "intake",
        ["FACEBOOK_APP_SECRET: is empty (allowed only with COMPLAINTS_DEV=1)",
         "FACEBOOK_VERIFY_TOKEN: is empty (allowed only with COMPLAINTS_DEV=1)"],
        settings={**PRODUCTION, "FACEBOOK_APP_SECRET": " ", "FACEBOOK_VERIFY_TOKEN": "  "},
    ),
    "notify-dev-page-token": Bad(
        "notify", ["FACEBOOK_PAGE_ACCESS_TOKEN: is the published development value"],
        settings={**PRODUCTION, "FACEBOOK_PAGE_ACCESS_TOKEN": ""},
    ),
    "intake-dev-tokens-copy": Bad(
        "intake", ["API_TOKENS_FILE: holds 11 token hash(es) of the development file"], settings=PRODUCTION,
        files={"API_TOKENS_FILE": (PROJECT_ROOT / "deploy" / "dev-tokens.yaml").read_text()},
    ),
    # The dev file with one entry of ours added is still the dev file's tokens.
    "intake-dev-tokens-extended": Bad(
        "intake", ["API_TOKENS_FILE: holds 11 token hash(es) of the development file"], settings=PRODUCTION,
        files={"API_TOKENS_FILE": (PROJECT_ROOT / "deploy" / "dev-tokens.yaml").read_text()
               + "  - name: ours\n    sha256: " + "ab" * 32 + "\n    role: ops\n"},
    ),
    "notify-unsigned-receipts": Bad(
        "notify", ["SMS_AUTH_TOKEN: is empty (allowed only with COMPLAINTS_DEV=1)"],
        settings={**PRODUCTION, "SMS_AUTH_TOKEN": ""},
    ),
    "intake-dev-values-and-a-bad-file": Bad(
        "intake", [DEV_KEY, "units[0].phone: Value error"], settings={"COMPLAINTS_DEV": "0"},
        files={"UNITS_FILE": BAD_UNITS},
    ),
}  # fmt: skip


@pytest.mark.parametrize("bad", CASES.values(), ids=CASES.keys())
def test_a_bad_setting_or_file_stops_the_service_with_every_problem_named(bad: Bad, tmp_path: Path) -> None:
    env = {**os.environ, **NO_SERVERS, **{k: v for k, v in bad.settings.items() if v}}
    for setting in [k for k, v in bad.settings.items() if not v]:
        env.pop(setting, None)  # left unset: its default
    for setting, text in bad.files.items():
        path = tmp_path / setting.lower()
        if text:
            path.write_text(text)
        env[setting] = str(path)
    finished = subprocess.run(
        [sys.executable, "-m", f"services.{bad.service}"],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 2, finished.stderr
    assert f"CRITICAL shared.service.serve the {bad.service} service cannot start:" in finished.stderr
    for problem in bad.problems:
        assert problem in finished.stderr
    for setting in bad.files:
        assert str(tmp_path / setting.lower()) in finished.stderr  # each problem names its file
    assert "Traceback" not in finished.stderr
    assert SECRET not in finished.stderr  # a setting's value is never shown: it may be a secret
