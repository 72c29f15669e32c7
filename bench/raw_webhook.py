"""The raw limit of a webhook on this machine: a bare FastAPI endpoint that reads the body and parses its
JSON, served the way the services are served (uvicorn, uvloop, httptools). ``python -m bench.raw_webhook``."""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, Request, Response

from shared.service.serve import serve

app = FastAPI()


@app.post("/webhooks/facebook")
async def webhook(request: Request) -> Response:
    json.loads(await request.body())
    return Response(b'{"received": true}', media_type="application/json")


if __name__ == "__main__":
    serve(app, "127.0.0.1", int(os.environ["HTTP_PORT"]))
