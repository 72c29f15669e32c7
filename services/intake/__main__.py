"""`python -m services.intake`: serve the intake service, configured from the environment only."""

from services.intake.bootstrap import SERVICE, bootstrap
from services.intake.settings import IntakeSettings
from shared.service.serve import main

if __name__ == "__main__":
    main(SERVICE, IntakeSettings, bootstrap)
