"""The ASGI app of a service: health, readiness and metrics for every service, plus its own routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.service.readiness import ReadinessMetrics
from shared.service.runtime import Runtime


def service_app(runtime: Runtime, routers: Sequence[APIRouter] = (), **fastapi_options: object) -> FastAPI:
    """A FastAPI app whose lifespan runs ``runtime``, serving ``/healthz``, ``/readyz`` and ``/metrics``."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with runtime.running():
            yield

    app = FastAPI(lifespan=lifespan, title=runtime.name, **fastapi_options)  # type: ignore[arg-type]
    app.state.runtime = runtime
    app.include_router(_operations_router(runtime))
    for router in routers:
        app.include_router(router)
    return app


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _operations_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])
    readiness = ReadinessMetrics(runtime.registry)

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

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
        checks = await runtime.readiness()
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        readiness.record(await runtime.readiness())  # what /readyz would answer now, for the alerts
        return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)

    return router
