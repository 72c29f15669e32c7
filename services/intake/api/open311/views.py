"""What each Open311 answer holds, in the standard's element names and order, as plain values for render.

A request shows no complaint text and no coordinates (``description``, ``lat`` and ``long`` are empty):
the text may name people and a point may be a home. ``address`` is the district and province (the
province alone for a confidential case) and ``agency_responsible`` the unit holding the case, in English
and Khmer (null for a confidential case, and while no unit holds it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.intake.domain.open311_filters import CAMBODIA_TIME
from services.intake.domain.open311_services import BY_CODE, SERVICES, Attribute
from services.intake.domain.open311_status import open311_status, status_notes
from services.intake.open311_queries import CaseRecord
from shared.events.types import UnitRef
from shared.places.gazetteer import Gazetteer
from shared.places.units import UnitRegistry

Value = dict[str, Any]


def services() -> list[Value]:
    return [
        {
            "service_code": s.code, "service_name": s.name, "description": s.description, "metadata": True,
            "type": "realtime", "keywords": s.keywords, "group": s.group,
        }
        for s in SERVICES
    ]  # fmt: skip


def definition(code: str, attributes: tuple[Attribute, ...]) -> Value:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
                "datatype_description": a.datatype_description or None, "order": order,
                "description": a.description,
                "values": [{"key": key, "name": name} for key, name in a.values],
            }
            for order, a in enumerate(attributes, 1)
        ],
    }  # fmt: skip


def created(reference: str, token: str) -> list[Value]:
    notice = f"Filed as case {reference}: keep this reference to follow the case."
    return [{"service_request_id": reference, "token": token, "service_notice": notice, "account_id": None}]


def token(reference: str, value: str) -> list[Value]:
    return [{"service_request_id": reference, "token": value}]


def request(case: CaseRecord, gazetteer: Gazetteer, units: UnitRegistry) -> Value:
    service = BY_CODE.get(case.category or "other", BY_CODE["other"])
    unit = None if case.confidential or case.unit is None else _agency(case.unit, units)
    return {
        "service_request_id": case.reference,
        "status": open311_status(case.status),
        "status_notes": status_notes(case.status, case.level),
        "service_name": service.name,
        "service_code": service.code,
        "description": None,
        "agency_responsible": unit,
        "service_notice": None,
        "requested_datetime": _local(case.filed_at),
        "updated_datetime": _local(case.updated_at),
        "expected_datetime": _local(case.expected_at) if case.status != "resolved" else None,
        "address": _address(case, gazetteer),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _agency(unit: UnitRef, units: UnitRegistry) -> str:
    known = units.get(unit.id)
    return unit.name if known is None else f"{known.name_en} / {known.name_km}"


def _address(case: CaseRecord, gazetteer: Gazetteer) -> str | None:
    """``Puok, Siemreap / ពួក, សៀមរាប``: the district and province in English, then in Khmer."""
    codes = (
        [case.location.province] if case.confidential else [case.location.district, case.location.province]
    )
    known = [code for code in codes if code and gazetteer.name(code)]
    if not known:
        return None
    english = ", ".join(str(gazetteer.name(code, "en")) for code in known)
    khmer = ", ".join(str(gazetteer.name(code, "km")) for code in known)
    return f"{english} / {khmer}"


def _local(moment: datetime | None) -> datetime | None:
    """Cambodian time, second precision: ``2026-03-01T14:05:09+07:00``."""
    return None if moment is None else moment.astimezone(CAMBODIA_TIME).replace(microsecond=0)
