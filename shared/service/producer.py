"""The service's Kafka producer: made before anything connects, started when the service starts."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from shared.service.partitioner import partition_for


class Producer:
    """A handle on an idempotent producer (acks=all) for the relay and dead letters; FastStream consumes.

    Components are given the handle when they are built and ask for :attr:`client` while they run.
    """

    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self._client: AIOKafkaProducer | None = None

    @property
    def client(self) -> AIOKafkaProducer:
        if self._client is None:
            raise RuntimeError(f"{self.client_id}: the producer is started when the service starts")
        return self._client

    async def start(self) -> None:
        client = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
            max_batch_size=256 * 1024,
            partitioner=partition_for,
        )
        await client.start()
        self._client = client

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.stop()
            self._client = None
