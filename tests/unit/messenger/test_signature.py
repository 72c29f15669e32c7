"""X-Hub-Signature-256 over the raw bytes: what Meta computes, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from shared.messenger.signature import hub_signature, signature_matches

pytestmark = pytest.mark.unit
SECRET = "app-secret"
BODY = json.dumps({"object": "page", "entry": [{"messaging": [{"message": {"text": "ប៉ូលិស"}}]}]},
                  ensure_ascii=False).encode()  # fmt: skip


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body_as_meta_computes_it() -> None:
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert hub_signature(SECRET, BODY) == expected
    assert signature_matches(SECRET, BODY, expected)


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha1=" + hashlib.sha1(BODY).hexdigest(), hub_signature("other-secret", BODY),
     hub_signature(SECRET, BODY).upper(), hub_signature(SECRET, BODY)[:-1]],
)  # fmt: skip
def test_a_missing_malformed_or_wrong_signature_does_not_match(header: str | None) -> None:
    assert not signature_matches(SECRET, BODY, header)


def test_json_written_again_does_not_match_the_original_signature() -> None:
    rewritten = json.dumps(json.loads(BODY)).encode()  # Khmer escaped as \\u sequences
    assert not signature_matches(SECRET, rewritten, hub_signature(SECRET, BODY))
