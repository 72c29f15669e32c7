"""Where the tool finds the dev gateways: the defaults of ``make run``, the environment, then the flags."""

from __future__ import annotations

import argparse

import pytest

from cli.settings import add_endpoint_flags, add_messenger_flag, settings_of

pytestmark = pytest.mark.unit


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_endpoint_flags(parser)
    add_messenger_flag(parser)
    return parser


def test_the_messenger_gateway_defaults_to_make_runs_and_the_environment_and_the_flag_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MESSENGER_GATEWAY_URL", raising=False)
    assert settings_of(_parser().parse_args([])).messenger_gateway_url == "http://127.0.0.1:8026"

    monkeypatch.setenv("MESSENGER_GATEWAY_URL", "http://127.0.0.1:9126")
    assert settings_of(_parser().parse_args([])).messenger_gateway_url == "http://127.0.0.1:9126"
    flagged = settings_of(_parser().parse_args(["--messenger-url", "http://127.0.0.1:9226"]))
    assert flagged.messenger_gateway_url == "http://127.0.0.1:9226"
