"""Open311 GeoReport v2 under ``/open311/v2/`` (docs/open311.md): routes, the form, XML and JSON answers."""

from services.intake.api.open311.routes import open311_router

__all__ = ["open311_router"]
