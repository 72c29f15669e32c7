"""`python -m services.sla`: serve the sla service, configured from the environment only."""

from services.sla.bootstrap import SERVICE, bootstrap
from services.sla.settings import SlaSettings
from shared.service.serve import main

if __name__ == "__main__":
    main(SERVICE, SlaSettings, bootstrap)
