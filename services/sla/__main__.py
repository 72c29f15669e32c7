"""`python -m services.sla`: serve the sla service, configured from the environment only."""

from services.sla.bootstrap import bootstrap
from services.sla.settings import SlaSettings
from shared.serve import configure_logging, serve


def main() -> None:
    configure_logging()
    settings = SlaSettings()
    serve(bootstrap(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
