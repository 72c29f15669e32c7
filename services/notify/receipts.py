"""Delivery receipts: ``POST /webhooks/sms-status`` (``MessageSid``, ``MessageStatus``, ``ErrorCode``).

When ``SMS_AUTH_TOKEN`` is set, a receipt must carry a valid ``X-Twilio-Signature`` (403 otherwise, and
nothing is recorded). Receipts are kept by message id in ``sms_receipts`` and only move a status forward
(a late ``sent`` does not undo ``delivered``); they join the notice through its provider message id.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from services.notify.metrics import NotifyMetrics
from services.notify.settings import NotifySettings
from shared.eventstore.store import Connection
from shared.service.database import Database
from shared.sms.signature import signature_matches

log = logging.getLogger(__name__)
# Twilio's message statuses in the order a message goes through them; finals share the last rank.
_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3, "receiving": 3, "received": 4,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5,
}  # fmt: skip


async def record_receipt(
    connection: Connection, message_id: str, status: str, error_code: str | None
) -> None:
    """Keep the message's latest status, unless a later one is already known."""
    await connection.execute(
        """INSERT INTO sms_receipts (provider_message_id, status, error_code) VALUES ($1, $2, $3)
           ON CONFLICT (provider_message_id) DO UPDATE
           SET status = EXCLUDED.status, error_code = EXCLUDED.error_code, updated_at = now()
           WHERE $4::int >= coalesce(($5::jsonb ->> sms_receipts.status)::int, 0)""",
        message_id, status, error_code, _RANK.get(status, 0), _RANK_JSON,
    )  # fmt: skip


_RANK_JSON = "{" + ", ".join(f'"{status}": {rank}' for status, rank in _RANK.items()) + "}"


def receipts_router(settings: NotifySettings, metrics: NotifyMetrics, database: Database) -> APIRouter:
    router = APIRouter(tags=["sms"])

    @router.post(
        "/webhooks/sms-status",
        summary="Delivery receipt from the SMS provider (Twilio StatusCallback)",
        responses={
            400: {"description": "no MessageSid or MessageStatus"},
            403: {"description": "bad signature"},
            413: {"description": "the body is larger than HTTP_MAX_BODY_BYTES (64 KiB unless set)"},
        },
    )
    async def sms_status(request: Request) -> Response:
        form = await request.form()
        params = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
        if settings.sms_auth_token:
            urls = {settings.status_callback_url, str(request.url)}
            if request.url.query:
                urls.add(f"{settings.status_callback_url}?{request.url.query}")
            if not signature_matches(
                settings.sms_auth_token, urls, params, request.headers.get("X-Twilio-Signature")
            ):
                metrics.bad_receipts.inc()
                log.warning("refused a delivery receipt with a missing or wrong X-Twilio-Signature")
                return Response(status_code=403)
        fields = dict(params)
        message_id = fields.get("MessageSid") or fields.get("SmsSid")
        status = (fields.get("MessageStatus") or fields.get("SmsStatus") or "").lower()
        if not message_id or not status:
            metrics.bad_receipts.inc()
            return Response("MessageSid and MessageStatus are required", status_code=400)
        async with database.pool.acquire() as connection:
            await record_receipt(connection, message_id, status, fields.get("ErrorCode") or None)
        metrics.delivery.labels(status=status if status in _RANK else "other").inc()
        return Response(status_code=204)

    return router
