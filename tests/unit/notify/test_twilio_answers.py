"""How the Twilio adapter reads the provider's answers: taken, refused for good, or worth another try."""

import httpx
import pytest

from services.notify.domain.sending import Accepted, Refused, SendResult, Unavailable
from services.notify.twilio import read_answer

pytestmark = pytest.mark.unit


def answer(status: int, body: object = None, *, raw: bytes | None = None) -> httpx.Response:
    if raw is not None:
        return httpx.Response(status, content=raw)
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer(201, {"sid": "SM123", "status": "queued"}), Accepted("SM123")),
        (answer(201, raw=b"not json"), Accepted("unknown")),  # taken: sending again would duplicate it
        (answer(400, {"code": 21211, "message": "The 'To' number +855 is not valid"}), Refused(400, 21211)),
        (answer(400, {"code": 21610, "message": "unsubscribed"}), Refused(400, 21610)),
        (answer(404, raw=b"<html>not found</html>"), Refused(404, None)),
        (answer(500, {"code": 20500}), Unavailable("HTTP 500")),
        (answer(503, raw=b""), Unavailable("HTTP 503")),
        (answer(429, {"code": 20429}), Unavailable("HTTP 429")),
        (answer(401, {"code": 20003}), Unavailable("HTTP 401")),  # credentials: an operator fixes them
    ],
)
def test_answers_are_read_as_twilio_means_them(response: httpx.Response, expected: SendResult) -> None:
    assert read_answer(response) == expected
