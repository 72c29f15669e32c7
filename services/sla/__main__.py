"""`python -m services.sla`: serve the sla service, configured from the environment only."""

import logging
import sys

from pydantic import ValidationError

from services.sla.bootstrap import bootstrap
from services.sla.domain.policy import PolicyError
from services.sla.settings import SlaSettings
from services.sla.units import UnknownUnitError
from shared.places.units_file import UnitsFileError
from shared.service.serve import configure_logging, serve

log = logging.getLogger("sla")


def main() -> None:
    configure_logging()
    try:
        settings = SlaSettings()
        app = bootstrap(settings)
    except (ValidationError, PolicyError, UnitsFileError, UnknownUnitError) as error:
        # A bad file or setting stops the service before it serves anything, with every problem listed.
        log.critical("the sla service cannot start:\n%s", error)
        sys.exit(2)
    serve(app, settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
