"""The whole stack as processes and a headless Chromium (Debian's, driven by Playwright) for the
console's browser tests. Accounts are made the way an operator makes them: ``python -m cli users add``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from shared.localstack.kafka import PROJECT_ROOT
from shared.testing.servers import LocalServers, new_topic_prefix
from shared.testing.stack import ServiceStack
from tests.integration.sla.cases import write_policy

PASSWORD = "a long enough password"
# Deadlines far enough away that no case escalates while a test drives it.
POLICY = """
calendar: {zone: Asia/Phnom_Penh}
deadlines:
  default: {acknowledgement: {plain: 3h}, resolution: {plain: 2d}}
ladder:
  - {level: 0, name: assigned unit}
  - {level: 1, name: provincial level}
  - {level: 2, name: working group, unit: moi-working-group}
triage: {plain: 1h}
"""


@dataclass(frozen=True)
class ConsoleStack:
    env: dict[str, str]
    intake_url: str

    def add_account(self, account: str, role: str, unit: str | None = None) -> None:
        args = [sys.executable, "-m", "cli", "users", "add", account, "--role", role, "--password-stdin"]
        done = subprocess.run(
            [*args, *(["--unit", unit] if unit else [])], input=f"{PASSWORD}\n",
            env={**os.environ, **self.env}, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr

    def file(self, body: dict[str, Any]) -> dict[str, str]:
        """``POST /v1/complaints``: the case id and reference."""
        request = urllib.request.Request(
            f"{self.intake_url}/v1/complaints", data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            filed: dict[str, str] = json.loads(answer.read())
        return filed


@pytest.fixture(scope="package")
def console_stack(servers: LocalServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleStack]:
    folder = tmp_path_factory.mktemp("console-stack")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
        "SLA_POLICY_FILE": str(write_policy(folder, POLICY)),
    }
    stack = ServiceStack(env, folder / "logs")
    try:
        stack.start()
        yield ConsoleStack(env, stack.url("intake"))
    finally:
        stack.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's chromium: Playwright downloads no browser of its own."""
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: make install"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Page, stack: ConsoleStack, account: str, language: str = "en") -> None:
    page.goto(f"{stack.intake_url}/console/language?to={language}&back=/console/sign-in")
    page.get_by_label("Account" if language == "en" else "គណនី").fill(account)
    page.get_by_label("Password" if language == "en" else "ពាក្យសម្ងាត់").fill(PASSWORD)
    page.get_by_role("button", name="Sign in" if language == "en" else "ចូលប្រើ").click()
