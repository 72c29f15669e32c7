"""`python -m services.devmessenger`: the dev Messenger gateway on ``DEVMESSENGER_PORT`` (else ``HTTP_PORT``,
else 8026)."""

from services.devmessenger.app import create_app
from services.devmessenger.settings import DevMessengerSettings
from shared.service.serve import main

if __name__ == "__main__":
    main("devmessenger", DevMessengerSettings, create_app)
