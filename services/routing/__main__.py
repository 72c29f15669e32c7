"""`python -m services.routing`: serve the routing service, configured from the environment only."""

from services.routing.bootstrap import bootstrap
from services.routing.settings import RoutingSettings
from shared.service.serve import configure_logging, serve


def main() -> None:
    configure_logging()
    settings = RoutingSettings()
    serve(bootstrap(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
