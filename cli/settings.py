"""Where the command-line tool finds the system: the variables of docs/contract.md §Settings, plus intake's
and the dev SMS and Messenger gateways' URLs.

Flags win over the environment, the environment over the defaults of a local ``make run``.
"""

from __future__ import annotations

import argparse

from pydantic import Field

from shared.service.settings import ServiceSettings


class CliSettings(ServiceSettings):
    """``INTAKE_URL``, ``SMS_API_BASE`` and ``MESSENGER_GATEWAY_URL`` join docs/contract.md §Settings's.

    The dev gateway is the SMS provider's API base. The Messenger gateway's own URL, not
    ``FACEBOOK_GRAPH_API_BASE``: the demo writes to its citizen's side, which Meta's Graph API has not.
    """

    intake_url: str = Field(default="http://127.0.0.1:8001", min_length=1)
    sms_api_base: str = Field(default="http://127.0.0.1:8025", min_length=1)
    messenger_gateway_url: str = Field(default="http://127.0.0.1:8026", min_length=1)
    # The demo's citizens text intake as the provider would: signed with this when it is set.
    sms_auth_token: str = ""


def add_endpoint_flags(parser: argparse.ArgumentParser) -> None:
    """``--intake-url`` and ``--gateway-url``, for commands that talk HTTP."""
    parser.add_argument("--intake-url", help="intake's base URL (env INTAKE_URL; http://127.0.0.1:8001)")
    parser.add_argument(
        "--gateway-url", help="the dev SMS gateway's base URL (env SMS_API_BASE; http://127.0.0.1:8025)"
    )


def add_messenger_flag(parser: argparse.ArgumentParser) -> None:
    """``--messenger-url``, for the demo (its Messenger citizen writes through the dev gateway)."""
    parser.add_argument(
        "--messenger-url",
        help="the dev Messenger gateway's base URL (env MESSENGER_GATEWAY_URL; http://127.0.0.1:8026)",
    )


def settings_of(args: argparse.Namespace) -> CliSettings:
    """The environment's settings with the endpoint flags given on the command line applied."""
    given = {
        "intake_url": getattr(args, "intake_url", None),
        "sms_api_base": getattr(args, "gateway_url", None),
        "messenger_gateway_url": getattr(args, "messenger_url", None),
    }
    return CliSettings(**{key: value for key, value in given.items() if value})
