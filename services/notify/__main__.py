"""`python -m services.notify`: serve the notify service, configured from the environment only."""

from services.notify.bootstrap import bootstrap
from services.notify.settings import NotifySettings
from shared.service.serve import configure_logging, serve


def main() -> None:
    configure_logging()
    settings = NotifySettings()
    serve(bootstrap(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
