"""`python -m services.intake`: serve the intake service, configured from the environment only."""

from services.intake.bootstrap import bootstrap
from services.intake.settings import IntakeSettings
from shared.service.serve import configure_logging, serve


def main() -> None:
    configure_logging()
    settings = IntakeSettings()
    serve(bootstrap(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
