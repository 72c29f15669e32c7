"""`python -m services.devsms`: the dev SMS gateway on ``DEVSMS_PORT`` (else ``HTTP_PORT``, else 8025)."""

from services.devsms.app import create_app
from services.devsms.settings import DevSmsSettings
from shared.service.serve import main

if __name__ == "__main__":
    main("devsms", DevSmsSettings, create_app)
