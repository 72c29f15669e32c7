"""`python -m cli timeline` and `follow`: a filed case read back from the event store and from Kafka."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.cli.conftest import CliStack, event_types_once, filed

pytestmark = pytest.mark.e2e

ROUTED = ("ComplaintFiled", "CaseAssigned", "CitizenNotified")


def _file(cli_stack: CliStack, text: str) -> tuple[str, str]:
    done = cli_stack.cli(
        "file", "--text", text, "--province", "KH-12", "--district", "1204", "--phone", "012 777 888",
        "--language", "en", "--category", "violence",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return filed(done.stdout)


async def test_the_timeline_shows_each_event_with_its_actor_and_facts(cli_stack: CliStack) -> None:
    reference, case_id = _file(cli_stack, "A fight outside the karaoke bar every night.")
    await event_types_once(cli_stack.database_url, case_id, "CaseAssigned")
    # Acknowledged, the case waits an hour for its resolution: nothing is appended while the test reads.
    async with httpx.AsyncClient(base_url=cli_stack.env["INTAKE_URL"]) as intake:
        answer = await intake.post(
            f"/v1/cases/{case_id}/acknowledge", json={"note": "We are on it."},
            headers={"Authorization": "Bearer dev-police-1204"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
    types = await event_types_once(
        cli_stack.database_url, case_id, *ROUTED, "CaseAcknowledged", "CitizenNotified"
    )

    by_reference = cli_stack.cli("timeline", reference.lower())
    assert by_reference.returncode == 0, by_reference.stderr
    header, _, _, _, *rows = by_reference.stdout.splitlines()
    assert header == f"case {reference} ({case_id}): acknowledged, held by police:1204 at level 0; " + (
        "2 SMS sent to the citizen"
    )
    assert [row.split()[3] for row in rows] == types
    assigned = next(row for row in rows if "CaseAssigned" in row)
    assert "system routing" in assigned
    assert "police:1204 (Tuol Kouk District Police Inspectorate), level 0, rule crime/district" in assigned
    assert any("unit police:1204" in row and "We are on it." in row for row in rows)
    assert any("SMS about ComplaintFiled" in row for row in rows)
    assert cli_stack.cli("timeline", case_id).stdout == by_reference.stdout

    unknown = cli_stack.cli("timeline", "KH2345AB")
    assert (unknown.returncode, unknown.stdout.strip()) == (1, "no case 'KH2345AB' in the event store")


async def test_follow_prints_one_readable_line_per_event_and_stops_at_its_bounds(cli_stack: CliStack) -> None:
    reference, case_id = _file(cli_stack, "Men with knives threatened the shop owner.")
    await event_types_once(cli_stack.database_url, case_id, *ROUTED)

    everything = cli_stack.cli("follow", "--from-beginning", "--timeout", "8")
    assert everything.returncode == 0, everything.stderr
    mine = [line.split(None, 3) for line in everything.stdout.splitlines() if f"  {reference}  " in line]
    assert mine[0][2] == "ComplaintFiled"  # the case's events come in order, labelled by its reference
    assert {line[2] for line in mine} >= set(ROUTED)
    assert any(line[2] == "CaseAssigned" and line[3].startswith("police:1204 (") for line in mine)

    two = cli_stack.cli("follow", "--from-beginning", "--max", "2", "--timeout", "60")
    assert two.returncode == 0, two.stderr
    lines = two.stdout.splitlines()
    assert lines[0].startswith(f"following {cli_stack.env['TOPIC_PREFIX']}case-events")
    assert len(lines) == 3
