"""`python -m cli file`: as the web form over HTTP, and as a channel on Kafka (waiting for the filing)."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.e2e.cli.conftest import CliStack, filed

pytestmark = pytest.mark.e2e


async def test_a_web_complaint_is_filed_over_http_with_its_place_resolved(cli_stack: CliStack) -> None:
    done = cli_stack.cli(
        "file", "--text", "ម៉ូតូរបស់ខ្ញុំត្រូវបានគេលួច", "--province", "Phnom Penh", "--district", "1203",
        "--phone", "012 345 678", "--category", "theft", "--message-id", "web-1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reference, case_id = filed(done.stdout)
    row = await _filing(cli_stack, case_id)
    assert (row["reference"], row["channel"], row["message_id"]) == (reference, "web", "web-1")
    assert (row["province"], row["district"], row["text"]) == ("KH-12", "1203", "ម៉ូតូរបស់ខ្ញុំត្រូវបានគេលួច")


async def test_an_sms_on_kafka_is_filed_with_the_province_found_in_its_text(cli_stack: CliStack) -> None:
    message_id = f"sms-{uuid.uuid4().hex[:8]}"
    done = cli_stack.cli(
        "file", "--via", "kafka", "--channel", "sms", "--message-id", message_id, "--language", "en",
        "--text", "My phone was stolen at the market in Battambang town", "--phone", "+85592555111",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"as sms message {message_id}" in done.stdout
    reference, case_id = filed(done.stdout)
    row = await _filing(cli_stack, case_id)
    assert (row["reference"], row["channel"], row["message_id"]) == (reference, "sms", message_id)
    assert row["province"] == "KH-2"


def test_a_kafka_filing_intake_refuses_is_reported_after_the_wait(cli_stack: CliStack) -> None:
    done = cli_stack.cli(
        "file", "--via", "kafka", "--channel", "hotline", "--province", "Atlantis", "--text", "help",
        "--phone", "012 345 678", "--wait", "5",
    )  # fmt: skip
    assert done.returncode == 1
    assert "not filed within 5 s" in done.stdout
    assert "complaints.submissions.dlq" in done.stdout


def test_over_http_a_complaint_can_only_come_from_the_web_form(cli_stack: CliStack) -> None:
    done = cli_stack.cli("file", "--channel", "sms", "--text", "help")
    assert done.returncode == 1
    assert "use --via kafka" in done.stderr


async def _filing(cli_stack: CliStack, case_id: str) -> asyncpg.Record:
    async with asyncpg.create_pool(cli_stack.database_url, min_size=1, max_size=1) as pool:
        row = await pool.fetchrow(
            """SELECT data->>'reference' AS reference, data->>'channel' AS channel, data->>'text' AS text,
                      data->>'channel_message_id' AS message_id, data->'location'->>'province' AS province,
                      data->'location'->>'district' AS district
               FROM events WHERE case_id = $1 AND type = 'ComplaintFiled'""",
            uuid.UUID(case_id),
        )
    assert row is not None
    return row
