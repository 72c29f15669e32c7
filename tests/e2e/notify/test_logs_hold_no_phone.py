"""No phone number or provider token in a process's log, at the most talkative level: notify texting a number
and asking the provider for its messages to that number (a URL that holds it), the dev gateway taking the
text, and a process whose httpx logger was turned up after start-up calling a Send API URL."""

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from shared.eventstore import PostgresEventStore
from shared.localstack.kafka import PROJECT_ROOT
from shared.testing.kafka import eventually
from shared.testing.servers import ServiceProcess
from tests.integration.notify.support import FAST_RETRIES, file_case, new_citizen, new_phone

pytestmark = pytest.mark.e2e

TALKATIVE = {"LOG_LEVEL": "DEBUG"}
TOKEN = "EAAGm0PX4ZCpsBAsecret"  # a Page access token's shape
# What a process does (configure_logging), then a library turning httpx up, then a Send API call whose URL
# carries the token and a number.
TURNED_UP = textwrap.dedent("""
    import logging, sys
    import httpx
    from shared.service.logs import configure_logging
    configure_logging()
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    base, token, phone = sys.argv[1:]
    httpx.get(f"{base}/2010-04-01/Accounts/ACdev/Messages.json", params={"To": phone})
    httpx.post(f"{base}/me/messages", params={"access_token": token}, json={"recipient": {"id": phone}})
    logging.getLogger("probe").info("the requests were made")
""")


def forms_of(phone: str) -> list[str]:
    """How a Cambodian E.164 number may be written in a line: as is, without its +, URL-encoded, local."""
    national = phone.removeprefix("+855")
    return [phone, phone.removeprefix("+"), quote(phone, safe=""), f"0{national}"]


async def test_no_process_logs_the_number_it_texts_nor_a_token_in_a_url(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    phone = new_phone()
    gateway = ServiceProcess("devsms", TALKATIVE, tmp_path / "devsms.log")
    gateway.start()
    notify = ServiceProcess(
        "notify",
        {**service_env, **FAST_RETRIES, **TALKATIVE, "SMS_API_BASE": gateway.url,
         "SMS_REQUEST_TIMEOUT_SECONDS": "0.5"},
        tmp_path / "notify.log",
    )  # fmt: skip
    try:
        # Taken, then the answer held back past notify's timeout: the retry asks the provider for the
        # messages to this number (GET Messages.json?To=...) before sending again.
        async with httpx.AsyncClient(timeout=10) as client:
            plan = {"numbers": {phone: "accepted_timeout"}, "hang_seconds": 2}
            (await client.post(f"{gateway.url}/control", json=plan)).raise_for_status()
        notify.start()
        await file_case(PostgresEventStore(pool), await new_citizen(pool, phone))
        assert await eventually(lambda: _sent(pool), within=60)
        turned_up = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", TURNED_UP, gateway.url, TOKEN, phone],
            env={**os.environ, **TALKATIVE}, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
    finally:
        notify.stop()
        gateway.stop()

    logs = {
        "notify": notify.log_path.read_text(encoding="utf-8", errors="replace"),
        "devsms": gateway.log_path.read_text(encoding="utf-8", errors="replace"),
        "turned up": turned_up.stdout + turned_up.stderr,
    }
    # What was read is a log of what happened: notify texted the number after looking it up ...
    assert "notify started" in logs["notify"]
    assert await pool.fetchval("SELECT attempts FROM notifications") == 2
    assert "INFO probe the requests were made" in logs["turned up"], logs["turned up"]
    # ... and none of it names the number or the token.
    for name, text in logs.items():
        assert not [form for form in forms_of(phone) if form in text], f"{name} logged the number"
        assert TOKEN not in text, f"{name} logged the access token"


async def _sent(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'sent'") == 1)
