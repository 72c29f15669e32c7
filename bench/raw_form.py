"""The raw limit for ``make bench-smsin``: a FastAPI endpoint that reads the same form and answers the same
empty TwiML, doing nothing else, served by uvicorn as intake is (uvloop, httptools)."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

app = FastAPI()
_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@app.post("/webhooks/sms")
async def sms_in(request: Request) -> Response:
    form = await request.form()
    if "From" not in form:
        return Response(status_code=422)
    return Response(_EMPTY, media_type="application/xml")
