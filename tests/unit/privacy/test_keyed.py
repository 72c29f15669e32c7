"""Keyed digests: stable for one key and purpose, unrelated across keys and purposes, secret in repr."""

import pytest

from shared.privacy import KeyedDigest

pytestmark = pytest.mark.unit


def test_one_key_and_purpose_give_one_digest() -> None:
    digest = KeyedDigest.of("k" * 32)
    assert digest("opt-out", "+85512345678") == digest("opt-out", "+85512345678")


def test_key_and_purpose_each_change_the_digest() -> None:
    one, other = KeyedDigest.of("k" * 32), KeyedDigest.of("j" * 32)
    assert one("opt-out", "+85512345678") != other("opt-out", "+85512345678")
    assert one("opt-out", "+85512345678") != one("complaints", "+85512345678")


def test_the_key_never_shows() -> None:
    assert "k" * 32 not in repr(KeyedDigest.of("k" * 32))
