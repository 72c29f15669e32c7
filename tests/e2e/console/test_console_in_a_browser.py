"""The console in a real headless Chromium over the real stack (intake, routing, sla, notify as
processes): what an officer and the working group see and do, and what the citizen's status page shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import ConsoleStack, sign_in

pytestmark = pytest.mark.e2e
WAIT = 60_000  # ms: routing assigns and the projection follows within seconds; a busy machine is slower


def complaint(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "citizen": {"name": "Sok Dara", "phone": "012 345 678", "language": "km"},
        "text": "Someone stole my motorbike near the market last night.",
        "category": "theft",
        "location": {"province": "Phnom Penh", "district": "1203"},
    }
    body.update(changes)
    return body


def test_a_unit_sees_a_new_case_appear_acknowledges_it_and_asks_the_citizen(
    console_stack: ConsoleStack, page: Page
) -> None:
    console_stack.add_account("sokha.police1203", "unit", "police:1203")
    sign_in(page, console_stack, "sokha.police1203")
    expect(page.get_by_role("heading", name=re.compile("Inbox of"))).to_be_visible()

    filed = console_stack.file(complaint())  # after the page loaded: it must come without a reload
    row = page.locator(f'[data-reference="{filed["reference"]}"]')
    expect(row).to_be_visible(timeout=WAIT)
    expect(row).to_contain_text("left to acknowledge", timeout=WAIT)

    row.get_by_role("link", name=filed["reference"]).click()
    expect(page.locator("#complaint-text")).to_have_text(complaint()["text"])  # type: ignore[arg-type]
    expect(page.get_by_text("+85512345678")).to_be_visible()
    page.locator("#acknowledge").get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert")).to_have_text("You acknowledged this case.")

    page.get_by_label(re.compile("Question to the citizen")).fill("Which market, and at what time?")
    page.get_by_role("button", name="Ask the citizen").click()
    expect(page.get_by_role("alert")).to_have_text("Your question is on its way to the citizen.")
    expect(page.locator(".conversation")).to_contain_text("Which market, and at what time?")
    expect(page.locator('.timeline [data-type="CaseAcknowledged"]')).to_contain_text("by sokha.police1203")

    page.goto(f"{console_stack.intake_url}/status/{filed['reference'].lower()}")
    steps = page.locator(".timeline")
    for step in ("Complaint filed", "Assigned", "Acknowledged", "Question to the citizen"):
        expect(steps).to_contain_text(step, timeout=WAIT)
    expect(page.locator("#public-status")).to_have_text("waiting for the citizen")
    expect(page.locator("body")).not_to_contain_text("Sok Dara")
    expect(page.locator("body")).not_to_contain_text("motorbike")


def test_the_working_group_triages_assigns_and_records_a_verdict(
    console_stack: ConsoleStack, page: Page
) -> None:
    console_stack.add_account("chan.wg", "working_group")
    filed = console_stack.file(complaint(category=None, text="No category: the working group must triage."))
    sign_in(page, console_stack, "chan.wg")
    expect(page.get_by_role("heading", name="Working group queue")).to_be_visible()

    row = page.locator(f'[data-reference="{filed["reference"]}"]')
    for _ in range(60):  # the queue does not refresh itself: reload until routing's triage shows
        if row.is_visible():
            break
        page.wait_for_timeout(1000)
        page.reload()
    page.get_by_label("Province").select_option("KH-12")
    page.get_by_role("button", name="Show").click()
    row.get_by_role("link").click()
    expect(page.locator(".status").first).to_have_text("waiting for triage")

    page.get_by_label(re.compile("Find a unit")).fill(
        "Phnom Penh Capital Hall"
    )  # the picker fills as one types
    page.get_by_label(re.compile("Phnom Penh Capital Hall")).check()
    page.get_by_label("Reason").fill("Land matter for the capital hall")
    page.get_by_role("button", name="Assign to a unit").click()
    expect(page.get_by_role("alert")).to_have_text("The case is assigned.")

    page.get_by_label("Verdict", exact=True).select_option("substantiated")
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.get_by_role("alert")).to_have_text("The verdict is recorded.")

    page.get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", name="Statistics", exact=True)).to_be_visible()
    expect(page.locator("#open-by-province")).to_contain_text("Phnom Penh")  # the case, open still
    expect(page.locator("#open-by-status rect")).to_have_count(6)  # a bar for each open status
    page.get_by_role("link", name="ភាសាខ្មែរ").click()
    expect(page.get_by_role("heading", name="ស្ថិតិ", exact=True)).to_be_visible()
    expect(page.locator("#open-by-province")).to_contain_text("ភ្នំពេញ")
    page.get_by_role("link", name="English").click()

    page.goto(f"{console_stack.intake_url}/status/{filed['reference']}")
    steps = page.locator(".timeline")
    for step in ("Sent to the working group for triage", "Assigned", "Verdict recorded"):
        expect(steps).to_contain_text(step, timeout=WAIT)


def test_a_khmer_complaint_of_4000_characters_fits_a_phone_screen(
    console_stack: ConsoleStack, page: Page
) -> None:
    console_stack.add_account("dara.police1203", "unit", "police:1203")
    phrase = "ប៉ូលិសមិនព្រមទទួលពាក្យបណ្ដឹងរបស់ខ្ញុំទេនៅផ្សារថ្មី"  # no spaces: Khmer writes none between words
    text = (phrase * (4000 // len(phrase) + 1))[:4000]
    filed = console_stack.file(complaint(text=text))
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, console_stack, "dara.police1203", language="km")
    row = page.locator(f'[data-reference="{filed["reference"]}"]')
    expect(row).to_be_visible(timeout=WAIT)
    row.get_by_role("link").click()
    expect(page.locator("#complaint-text")).to_have_text(text)

    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
              .map((e) => e.tagName + '.' + e.className)"""
    )
    assert overflowing == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    font = page.locator("#complaint-text").evaluate("(e) => getComputedStyle(e).fontFamily")
    assert "Khmer OS" in font
