"""The ASGI app of a service: health, readiness and metrics for every service, plus its own routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.service.body_limit import BodyLimit
from shared.service.lifecycle import Lifecycle
from shared.service.readiness import ReadinessMetrics


def service_app(
    lifecycle: Lifecycle,
    routers: Sequence[APIRouter] = (),
    *,
    body_limits: Mapping[str, int] | None = None,
    **fastapi_options: object,
) -> FastAPI:
    """A FastAPI app whose lifespan runs ``lifecycle``, serving ``/healthz``, ``/readyz`` and ``/metrics``;
    request bodies past ``HTTP_MAX_BODY_BYTES`` are refused (413) for every route but the paths of
    ``body_limits``, which have the limit given there."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with lifecycle.running():
            yield

    app = FastAPI(lifespan=lifespan, title=lifecycle.name, **fastapi_options)  # type: ignore[arg-type]
    app.state.lifecycle = lifecycle
    app.add_middleware(
        BodyLimit, limit=lifecycle.infrastructure.settings.http_max_body_bytes, paths=body_limits
    )
    app.include_router(_operations_router(lifecycle))
    for router in routers:
        app.include_router(router)
    return app


def _operations_router(lifecycle: Lifecycle) -> APIRouter:
    router = APIRouter(tags=["operations"])
    readiness = ReadinessMetrics(lifecycle.infrastructure.registry)

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": lifecycle.name}

    @router.get(
        "/readyz",
        summary="Kafka and PostgreSQL answer, and no consumer is stuck on a batch",
        responses={
            503: {
                "description": "Kafka or PostgreSQL does not answer, or a consumer group (check "
                "`consumer:<group>`) has held one batch longer than CONSUMER_STUCK_AFTER_SECONDS"
            }
        },
    )
    async def readyz() -> JSONResponse:
        checks = await lifecycle.readiness()
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        readiness.record(await lifecycle.readiness())  # what /readyz would answer now, for the alerts
        return Response(generate_latest(lifecycle.infrastructure.registry), media_type=CONTENT_TYPE_LATEST)

    return router
