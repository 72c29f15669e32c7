"""The local stack launcher: Kafka (KRaft) and PostgreSQL from this machine's binaries, and the services.

Written once and used by ``make run``, ``make up``, ``make down`` and the pytest fixtures.
"""

from shared.localstack.kafka import KafkaServer
from shared.localstack.postgres import PostgresServer
from shared.localstack.process import ServerStartError, free_port

__all__ = ["KafkaServer", "PostgresServer", "ServerStartError", "free_port"]
