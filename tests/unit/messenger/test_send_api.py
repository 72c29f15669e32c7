"""The Send API's answers classified (Graph's error JSON): retried, final, or sent."""

from __future__ import annotations

import pytest

from shared.messenger.send_api import MAX_TEXT, classify, fit_text

pytestmark = pytest.mark.unit


def graph_error(
    code: int, subcode: int | None = None, message: str = "(#x) psid 1234 said no"
) -> dict[str, object]:
    error: dict[str, object] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "Abc",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "body", "outcome", "retryable", "reason"),
    [
        (200, {"recipient_id": "1", "message_id": "m_1"}, "sent", False, "sent (HTTP 200)"),
        (400, graph_error(4), "rate_limited", True, "rate_limited (Send API error 4)"),
        (400, graph_error(32), "rate_limited", True, "rate_limited (Send API error 32)"),
        (400, graph_error(613), "rate_limited", True, "rate_limited (Send API error 613)"),
        (500, graph_error(2), "unavailable", True, "unavailable (Send API error 2)"),
        (503, None, "unavailable", True, "unavailable (HTTP 503)"),
        (400, graph_error(551, 1545041), "recipient_unavailable", False,
         "person_unavailable (Send API error 551/1545041)"),
        (400, graph_error(10, 2018278), "outside_window", False,
         "outside_messaging_window (Send API error 10/2018278)"),
        (400, graph_error(10), "refused", False, "refused (Send API error 10)"),
        (400, graph_error(190), "token_error", False, "page_token_invalid (Send API error 190)"),
        (400, graph_error(100), "refused", False, "refused (Send API error 100)"),
        (404, "not json", "refused", False, "refused (HTTP 404)"),
    ],
)  # fmt: skip
def test_answers_are_classified_by_graph_code_and_reasons_never_quote_graph_s_message(
    status: int, body: object, outcome: str, retryable: bool, reason: str
) -> None:
    answer = classify(status, body)
    assert (answer.outcome, answer.retryable, answer.reason) == (outcome, retryable, reason)
    assert "1234" not in answer.reason


def test_a_success_without_a_message_id_still_counts_as_sent() -> None:
    assert classify(200, {}).message_id == "unknown"


def test_texts_are_cut_only_past_meta_s_limit() -> None:
    assert fit_text("a" * MAX_TEXT) == "a" * MAX_TEXT
    cut = fit_text("ក" * (MAX_TEXT + 1))
    assert len(cut) == MAX_TEXT
    assert cut.endswith("...")
