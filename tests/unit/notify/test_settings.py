"""Notify's settings: sensible defaults, and a configuration that would send twice refused at start."""

import pytest
from pydantic import ValidationError

from services.notify.settings import NotifySettings

pytestmark = pytest.mark.unit


def test_receipts_come_back_to_this_process_unless_a_public_url_is_given() -> None:
    assert NotifySettings(http_port=9123).status_callback_url == "http://127.0.0.1:9123/webhooks/sms-status"
    assert (
        NotifySettings(http_host="0.0.0.0").status_callback_url == "http://127.0.0.1:8004/webhooks/sms-status"
    )
    given = NotifySettings(sms_status_callback_url="https://sms.example.org/webhooks/sms-status")
    assert given.status_callback_url == "https://sms.example.org/webhooks/sms-status"


def test_defaults_send_without_a_rate_limit_and_retry_within_bounds() -> None:
    settings = NotifySettings()
    assert settings.sms_rate_limit_per_second == 0
    assert settings.retry_policy.max_attempts == 8
    assert settings.retry_policy.budget_seconds == 3600


def test_a_lease_shorter_than_a_request_is_refused() -> None:
    with pytest.raises(ValidationError, match="SMS_SEND_LEASE_SECONDS must exceed"):
        NotifySettings(sms_send_lease_seconds=5, sms_request_timeout_seconds=10)
