"""`python -m services.notify`: serve the notify service, configured from the environment only."""

from services.notify.bootstrap import SERVICE, bootstrap
from services.notify.settings import NotifySettings
from shared.service.serve import main

if __name__ == "__main__":
    main(SERVICE, NotifySettings, bootstrap)
