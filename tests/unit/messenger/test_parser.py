"""Meta's deliveries read into messages and skips: every entry and item of a batch, in order."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.intake.domain.conversation import Attachment
from services.intake.domain.messenger_events import MAX_TEXT, NotADeliveryError, Parsed, parse_delivery
from shared.privacy import KeyedDigest
from tests.unit.messenger.payloads import (
    PAGE,
    attachment,
    batch,
    delivered,
    echo,
    location,
    postback,
    quick_reply,
    read,
    text,
)

pytestmark = pytest.mark.unit
NOW = datetime(2026, 1, 1, tzinfo=UTC)
DIGEST = KeyedDigest.of("a-test-personal-data-key")


def parse(payload: object, page: str | None = PAGE, digest: KeyedDigest = DIGEST) -> Parsed:
    return parse_delivery(json.dumps(payload, ensure_ascii=False).encode(), page, NOW, digest)


def test_a_text_message_is_read_with_its_sender_mid_and_time() -> None:
    parsed = parse(batch([text("psid-1", "m_1", "  ប៉ូលិសមិនជួយ  ")]))
    (received,) = parsed.received
    inbound = received.inbound
    assert (inbound.channel, inbound.message_id, inbound.sender) == ("facebook", "m_1", "psid-1")
    assert inbound.text == "ប៉ូលិសមិនជួយ"
    assert inbound.received_at == datetime(2025, 11, 24, 16, 0, tzinfo=UTC)
    assert (received.kind, parsed.skipped) == ("message", ())


def test_every_entry_and_item_of_a_batch_in_order_with_echoes_reads_and_deliveries_skipped() -> None:
    parsed = parse(
        batch(
            [text("a", "m_a1", "first"), echo("a", "m_echo"), read("a")],
            [delivered("b", "m_x"), text("b", "m_b1", "second"), text("a", "m_a2", "third")],
            [{"sender": {"id": "c"}, "recipient": {"id": PAGE}, "timestamp": 1, "reaction": {"emoji": "x"}}],
        )
    )
    assert [r.inbound.message_id for r in parsed.received] == ["m_a1", "m_b1", "m_a2"]
    assert sorted(parsed.skipped) == ["delivery", "echo", "read", "unknown"]


def test_postbacks_and_quick_replies_are_taken_as_text() -> None:
    parsed = parse(
        batch(
            [postback("p", "STATUS P64X6YY8", "status", mid="m_pb"), quick_reply("p", "m_qr", "Yes", "YES")]
        )
    )
    assert [(r.kind, r.inbound.message_id, r.inbound.text) for r in parsed.received] == [
        ("postback", "m_pb", "STATUS P64X6YY8"),
        ("quick_reply", "m_qr", "Yes"),
    ]


def test_a_postback_without_a_mid_gets_one_that_is_the_same_on_every_retry_and_holds_no_psid() -> None:
    first = parse(batch([postback("1234567890123456", "Get started", "GET_STARTED")])).received[0]
    again = parse(batch([postback("1234567890123456", "Get started", "GET_STARTED")])).received[0]
    assert first.inbound.message_id == again.inbound.message_id
    assert "1234567890123456" not in first.inbound.message_id


def test_a_postback_mid_is_keyed_so_only_the_key_holder_can_match_it_to_a_psid() -> None:
    tapped = batch([postback("1234567890123456", "Get started", "GET_STARTED")])
    ours = parse(tapped).received[0].inbound.message_id
    other_key = parse(tapped, digest=KeyedDigest.of("another-personal-data-key")).received[0]
    assert ours.startswith("postback-")
    # Without the key, trying every PSID, time and title gives other digests: the mid names nobody.
    assert ours != other_key.inbound.message_id


def test_attachments_are_evidence_and_a_message_with_only_attachments_is_still_accepted() -> None:
    parsed = parse(
        batch(
            [
                attachment("a", "m_img", "image", "https://cdn.example/a.jpg"),
                location("a", "m_loc", 11.5564, 104.9282),
                text(
                    "a",
                    "m_both",
                    "the station",
                    attachments=[{"type": "video", "payload": {"url": "https://v"}}],
                ),
                attachment("a", "m_audio", "audio", "https://cdn.example/a.mp4"),
                attachment("a", "m_file", "file", "https://cdn.example/a.pdf"),
            ]
        )
    )
    by_mid = {r.inbound.message_id: r for r in parsed.received}
    assert by_mid["m_img"].inbound.attachments == (Attachment("image", "https://cdn.example/a.jpg"),)
    assert (by_mid["m_img"].kind, by_mid["m_img"].inbound.text) == ("attachment", "[image]")
    assert by_mid["m_loc"].inbound.attachments == (Attachment("location", "geo:11.5564,104.9282"),)
    assert by_mid["m_both"].inbound.text == "the station"
    assert by_mid["m_both"].inbound.attachments == (Attachment("video", "https://v"),)
    assert [by_mid[m].inbound.attachments[0].kind for m in ("m_audio", "m_file")] == ["audio", "file"]


def test_a_text_over_2000_characters_is_kept_and_one_over_the_case_limit_is_cut() -> None:
    long, longer = "ក" * 2500, "a" * (MAX_TEXT + 900)
    parsed = parse(batch([text("a", "m_1", long), text("a", "m_2", longer)]))
    assert [len(r.inbound.text) for r in parsed.received] == [2500, MAX_TEXT]


def test_a_cut_never_leaves_a_khmer_sign_without_its_letter() -> None:
    words = "ក" * (MAX_TEXT - 1) + "កា"  # the vowel sign would be the 4,001st character's partner
    (received,) = parse(batch([text("a", "m_1", words + "ខ")])).received
    assert received.inbound.text == "ក" * (MAX_TEXT - 1)


@pytest.mark.parametrize(
    ("payload", "skipped"),
    [
        ({"object": "instagram", "entry": [{"id": "1", "time": 1, "messaging": []}]}, ("other_object",)),
        ({"object": "page", "entry": [{"id": PAGE, "time": 1}]}, ("no_messaging",)),
        ({"object": "page", "entry": [{"id": PAGE, "changes": [{"field": "feed"}]}]}, ("no_messaging",)),
        (batch([text("a", "m_1", "hi") | {"recipient": {"id": "another-page"}}]), ("other_page",)),
        (batch([{"recipient": {"id": PAGE}, "message": {"mid": "m", "text": "no sender"}}]), ("malformed",)),
        (batch([{"sender": {"id": "a"}, "message": {"text": "no mid"}}]), ("malformed",)),
        (
            batch([{"sender": {"id": "a"}, "message": {"mid": "m_s", "sticker_id": 369239263222822}}]),
            ("unknown",),
        ),
    ],
)
def test_what_is_not_a_message_is_skipped_and_named(payload: object, skipped: tuple[str, ...]) -> None:
    parsed = parse(payload)
    assert (parsed.received, parsed.skipped) == ((), skipped)


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"not json", "not_json"), (b"[1, 2]", "not_an_object"), (b'{"object": "page"}', "wrong_type"),
     (b"\xff\xfe", "not_json")],
)  # fmt: skip
def test_a_body_that_is_no_delivery_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(NotADeliveryError) as refused:
        parse_delivery(body, PAGE, NOW, DIGEST)
    assert refused.value.problems[0].reason == reason


def test_nul_characters_are_dropped_and_a_missing_timestamp_is_the_time_of_reading() -> None:
    payload = batch(
        [{"sender": {"id": "a"}, "recipient": {"id": PAGE}, "message": {"mid": "m", "text": "a\x00b"}}]
    )
    (received,) = parse(payload).received
    assert (received.inbound.text, received.inbound.received_at) == ("ab", NOW)
