"""`python -m services.devsms`: the dev SMS gateway on ``DEVSMS_PORT`` (default 8025)."""

import os

from services.devsms.app import create_app
from shared.serve import configure_logging, serve


def main() -> None:
    configure_logging()
    serve(create_app(), os.environ.get("HTTP_HOST", "127.0.0.1"), int(os.environ.get("DEVSMS_PORT", "8025")))


if __name__ == "__main__":
    main()
