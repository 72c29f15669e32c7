"""Phone numbers in E.164, through Google's ``phonenumbers``: Cambodian local forms and any E.164."""

from __future__ import annotations

import phonenumbers

_REGION = "KH"  # a number without a country code is Cambodian: "012 345 678" is +85512345678


def e164(value: str) -> str | None:
    """The E.164 form of a valid phone number, or None when it is not one."""
    try:
        number = phonenumbers.parse(value, _REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
