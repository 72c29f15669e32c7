"""`python -m services.routing`: serve the routing service, configured from the environment only."""

from services.routing.bootstrap import SERVICE, bootstrap
from services.routing.settings import RoutingSettings
from shared.service.serve import main

if __name__ == "__main__":
    main(SERVICE, RoutingSettings, bootstrap)
