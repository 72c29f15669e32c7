"""Pictures of the console from a real run: ``make console-png`` writes docs/console/*.png.

Starts Kafka, PostgreSQL and the whole stack; seeds two months of cases over every province
(``bench/console_seed.py``: the event store's append path and the projections), files a Khmer and an
English complaint through intake's HTTP API as citizens would, then signs in with Debian's chromium driven by
Playwright, acknowledges both and asks the Khmer-speaking citizen a question (the English case stays open to
every action), and captures the inbox, a case page, the working group's queue and the statistics page in
English and in Khmer, and the status page on a phone.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench.console_seed import prepare, seed
from services.intake.console.accounts import Accounts
from services.intake.settings import IntakeSettings
from shared.localstack.kafka import PROJECT_ROOT
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.clock import system_clock
from shared.testing.servers import LocalServers, new_topic_prefix
from shared.testing.stack import ServiceStack

OUTPUT = PROJECT_ROOT / "docs" / "console"
DESKTOP = {"width": 1200, "height": 800}
TALL = {"width": 1200, "height": 1500}  # the statistics page: its charts of open cases and of units
PHONE = {"width": 360, "height": 740}
PASSWORD = "a long enough picture password"
UNIT = "police:1203"
CASES = 3000
INBOX_CASES = 14
# Deadlines long enough that no seeded case still open escalates while the pictures are taken.
POLICY = """
calendar: {zone: Asia/Phnom_Penh}
deadlines:
  default: {acknowledgement: {plain: 2d}, resolution: {plain: 20d}}
ladder:
  - {level: 0, name: assigned unit}
  - {level: 1, name: provincial level}
  - {level: 2, name: working group, unit: moi-working-group}
triage: {plain: 20d}
"""
COMPLAINTS: dict[str, dict[str, Any]] = {
    "km": {
        "citizen": {"name": "សុខ ដារ៉ា", "phone": "012 345 678", "language": "km"},
        "text": "គេលួចម៉ូតូរបស់ខ្ញុំនៅមុខផ្សារអូរឫស្សីកាលពីយប់មិញ ម៉ោងប្រហែល ៩ យប់។ "
        "ខ្ញុំបានទៅប៉ុស្តិ៍នគរបាល ប៉ុន្តែគេប្រាប់ឱ្យត្រឡប់មកវិញថ្ងៃក្រោយ។",
        "category": "theft",
        "location": {"province": "Phnom Penh", "district": "1203"},
        "question": "តើម៉ូតូរបស់អ្នកមានស្លាកលេខអ្វី ហើយពណ៌អ្វី?",
    },
    "en": {
        "citizen": {"name": "Chan Sophea", "phone": "097 765 4321", "language": "en"},
        "text": "Two men on a motorbike snatched my handbag outside the Olympic market at about 7 pm. "
        "A guard saw them ride towards Monivong Boulevard. My phone and ID card were in the bag.",
        "category": "theft",
        "location": {"province": "Phnom Penh", "district": "1203"},
    },
}
LABELS = {  # the sign-in form's words
    "en": ("Account", "Password", "Sign in"),
    "km": ("គណនី", "ពាក្យសម្ងាត់", "ចូលប្រើ"),
}


async def seed_history(database_url: str) -> None:
    units = load_units(IntakeSettings().units_file, load_gazetteer())
    unit = units.get(UNIT)
    assert unit is not None
    async with asyncpg.create_pool(database_url, min_size=1, max_size=2) as pool:
        await prepare(pool)
        await seed(pool, units, cases=CASES, inbox_unit=unit, inbox_cases=INBOX_CASES,
                   now=datetime.now(UTC), inbox_within=timedelta(hours=36))  # fmt: skip
        accounts = Accounts(_Pool(pool), system_clock, IntakeSettings().digest)
        await accounts.add("sokha.police1203", "unit", UNIT, PASSWORD)
        await accounts.add("chan.wg", "working_group", None, PASSWORD)


class _Pool:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        found: dict[str, Any] = json.loads(answer.read())
    return found


def routed(intake_url: str, reference: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{intake_url}/v1/cases/{reference}", timeout=10) as answer:
                if json.loads(answer.read())["status"] == "assigned":
                    return
        except urllib.error.HTTPError as error:
            if error.code != 404:  # 404: the projection has not shown the new case yet
                raise
        time.sleep(0.5)
    raise TimeoutError(f"case {reference} was not assigned within {within:.0f} s")


def sign_in(page: Page, intake_url: str, account: str, language: str) -> None:
    page.goto(f"{intake_url}/console/language?to={language}&back=/console/sign-in")
    account_label, password_label, submit = LABELS[language]
    page.get_by_label(account_label).fill(account)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=submit).click()
    page.wait_for_load_state("networkidle")


def shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"  {path.relative_to(PROJECT_ROOT)}", flush=True)


def answer(page: Page, intake_url: str, case_id: str, question: str | None) -> None:
    """The officer acknowledges the case and asks the citizen ``question``, if any (in English)."""
    page.goto(f"{intake_url}/console/cases/{case_id}")
    page.locator("#acknowledge").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_be_visible()
    if question is None:
        return
    page.get_by_label(re.compile("Question to the citizen")).fill(question)
    page.get_by_role("button", name="Ask the citizen").click()
    expect(page.get_by_role("alert")).to_be_visible()


@contextmanager
def session(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    try:
        yield context.new_page()
    finally:
        context.close()


def capture(intake_url: str, filed: dict[str, dict[str, Any]]) -> None:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: make install"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            with session(browser, DESKTOP) as page:
                sign_in(page, intake_url, "sokha.police1203", "en")
                for language, case in filed.items():  # the English case stays open to every action
                    answer(page, intake_url, case["case_id"], COMPLAINTS[language].get("question"))
            for language in ("en", "km"):
                with session(browser, DESKTOP) as page:
                    sign_in(page, intake_url, "sokha.police1203", language)
                    shoot(page, f"inbox-{language}")
                    page.goto(f"{intake_url}/console/cases/{filed[language]['case_id']}")
                    shoot(page, f"case-{language}")
                with session(browser, DESKTOP) as page:
                    sign_in(page, intake_url, "chan.wg", language)
                    shoot(page, f"queue-{language}")
                with session(browser, TALL) as page:
                    sign_in(page, intake_url, "chan.wg", language)
                    page.goto(f"{intake_url}/console/stats")
                    shoot(page, f"stats-{language}")
            with session(browser, PHONE) as page:
                page.goto(f"{intake_url}/console/language?to=km&back=/status/{filed['km']['reference']}")
                shoot(page, "status-phone-km")
        finally:
            browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="console-png-") as folder:
        root = Path(folder)
        policy = root / "sla-policy.yaml"
        policy.write_text(POLICY)
        os.environ["SLA_POLICY_FILE"] = str(policy)  # the seed's deadlines and the SLA service's alike
        servers = LocalServers(root / "servers")
        try:
            print("starting Kafka and PostgreSQL ...", flush=True)
            servers.start()
            env = {
                "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
                "DATABASE_URL": servers.new_database(),
                "TOPIC_PREFIX": new_topic_prefix(),
                "SLA_POLICY_FILE": str(policy),
            }
            print(f"seeding {CASES:,} cases ...", flush=True)
            asyncio.run(seed_history(env["DATABASE_URL"]))
            stack = ServiceStack(env, root / "logs")
            print("starting the services ...", flush=True)
            stack.start()
            try:
                intake = stack.url("intake")
                filed = {}
                for language, complaint in COMPLAINTS.items():
                    body = {key: value for key, value in complaint.items() if key != "question"}
                    filed[language] = post(f"{intake}/v1/complaints", body)
                    routed(intake, filed[language]["reference"])
                print("taking the pictures ...", flush=True)
                capture(intake, filed)
            finally:
                stack.stop()
        finally:
            servers.stop()


if __name__ == "__main__":
    main()
