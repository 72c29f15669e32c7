"""The whole system under load: complaints produced to ``complaints.submissions``, timed to ``CaseAssigned``
on ``case-events`` and to the receipt SMS at the dev gateway, with every service a process of its own, and
the raw limits (aiokafka produce-consume, event store appends) measured on the same servers in the same run.

Phases: a warm-up; ``--rate`` complaints/s for ``--duration`` seconds (latency of an unsaturated system);
``--count`` complaints flat out (sustained throughput; CPU time of every process meanwhile); then each
service's peak RSS. Run with ``make bench-e2e``; prints the tables and writes ``bench-results/e2e.json``.
``--profile`` runs the services under cProfile and prints each one's hottest functions (the numbers of such
a run, slowed by the profiler, go to ``bench-results/e2e-profiled.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import pstats
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

from bench.common import RESULTS_DIR, Comparison, Rate, on_local_servers, render, report, table, write_json
from bench.e2e_probes import CaseEventsWatch, Gateway
from bench.intake import encode, submission
from bench.load import Latency, due, latencies, span
from bench.procstat import cpu_seconds, peak_rss, rss
from bench.raw import append_limits, kafka_produce_consume
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import read_pid
from shared.service.topics import Topics
from shared.testing.kafka import eventually
from shared.testing.servers import LocalServers, new_topic_prefix
from shared.testing.stack import SERVICES, ServiceStack

WARM_UP = 200
RAW_KAFKA = 20_000  # records through the raw produce-consume loop
RAW_APPENDS = 10_000  # events per raw append measurement
TICK = 0.01  # seconds between two looks at what is due in a paced phase
SETTLE = 180.0  # seconds more the paced phase's backlog may take to drain before the flat-out phase
TARGET_RATE = 500  # complaints/s end to end (the target)
TARGET_P99 = 0.5  # seconds, submission to CaseAssigned at the paced rate
TARGET_RSS = 200 * 1024 * 1024
MB = 1024 * 1024
STAGES = {"filed": "ComplaintFiled on case-events", "assigned": "CaseAssigned on case-events",
          "receipt": "receipt SMS at the gateway"}  # fmt: skip
SMS_PER_COMPLAINT = 2  # the receipt, and the assignment's text to the citizen
PRODUCTION_POLICY = PROJECT_ROOT / "deploy" / "sla-policy.yaml"  # working days: nothing falls due in a run
PROFILING_HOOK = Path(__file__).resolve().parent / "profiling"
PROFILES = RESULTS_DIR / "profiles"


@dataclass(frozen=True, slots=True)
class Options:
    rate: float
    duration: float
    count: int
    profile: bool = False


@dataclass(frozen=True, slots=True)
class Phase:
    """When each complaint of a phase was sent and reached each stage, by its channel message id."""

    name: str
    sent: Mapping[str, float]
    reached: Mapping[str, Mapping[str, float]]  # stage -> message id -> epoch seconds
    waited: float  # seconds from the first sent until the phase stopped waiting

    def rate(self, stage: str) -> Rate:
        """Sustained: those that reached ``stage`` over first sent to last reached (if none did, 0/s)."""
        done = self.reached[stage]
        seconds = span(self.sent, done) if done else self.waited
        return Rate(f"{self.name}: submission -> {STAGES[stage]}", len(done), seconds)

    def latency(self, stage: str) -> Latency | None:
        seconds = latencies(self.sent, self.reached[stage])
        return Latency.of(seconds) if seconds else None

    def missing(self) -> dict[str, int]:
        return {stage: len(self.sent) - len(done) for stage, done in self.reached.items()}


@dataclass(frozen=True, slots=True)
class Results:
    """What one run measured: the raw limits, the two phases, CPU during the flat-out one, memory."""

    rates: dict[str, Rate]
    paced: Phase
    flat: Phase
    cpu: dict[str, float]  # process -> CPU seconds during the flat-out phase
    wall: float  # seconds the flat-out phase took
    memory: dict[str, tuple[int, int]]  # process -> (peak RSS, RSS at the end), bytes


@dataclass
class Load:
    """The load generator: numbered complaints, each of its own citizen, to ``complaints.submissions``."""

    producer: AIOKafkaProducer
    topic: str
    watch: CaseEventsWatch
    gateway: Gateway
    pool: asyncpg.Pool
    numbered: int = 0

    async def phase(self, name: str, count: int, rate: float) -> Phase:
        """Send ``count`` complaints at ``rate`` per second (0: flat out), wait until each is assigned and
        every SMS is in, and read when each reached each stage."""
        first, tag = self.numbered, name.split(maxsplit=1)[0]
        self.numbered += count
        numbers = range(first, first + count)
        bodies = {} if rate > 0 else {n: complaint(tag, n) for n in numbers}  # flat out: encoded beforehand
        sent: dict[str, float] = {}
        acks = []
        started = time.perf_counter()
        for _ in range(int(count / rate / TICK) + 100 if rate > 0 else 1):  # bounded: ~1 look per tick
            for n in numbers[len(sent) : due(time.perf_counter() - started, rate, count)]:
                body = bodies.pop(n, None) or complaint(tag, n)
                sent[f"{tag}-{n}"] = time.time()
                acks.append(await self.producer.send(self.topic, body, key=f"{tag}-{n}".encode()))
            if len(sent) == count:
                break
            await asyncio.sleep(TICK)
        await asyncio.gather(*acks)
        within = 60 + count / 25
        if not await self.settled(within):
            print(f"  {name}: not complete after {within:.0f} s; reporting what arrived", flush=True)
        return await self.collect(name, tag, sent)

    async def settled(self, within: float) -> bool:
        """Wait until every complaint sent so far is assigned and both its SMS are in, or ``within`` s."""
        deadline = time.monotonic() + within
        assigned = await eventually(lambda: self.watch.count("CaseAssigned") >= self.numbered, within=within)
        texted = await eventually(
            lambda: self.gateway.received_at_least(SMS_PER_COMPLAINT * self.numbered),
            within=max(0.0, deadline - time.monotonic()),
            interval=0.5,
        )
        return bool(assigned and texted)

    async def collect(self, name: str, tag: str, sent: dict[str, float]) -> Phase:
        rows = await self.pool.fetch(
            """SELECT case_id, data->>'channel_message_id' AS id FROM events
               WHERE type = 'ComplaintFiled' AND data->>'channel_message_id' LIKE $1""",
            f"{tag}-%",
        )
        ids = {str(row["case_id"]): row["id"] for row in rows}
        texts = await self.gateway.receipts()
        reached = {
            "filed": self.watch.reached("ComplaintFiled", ids),
            "assigned": self.watch.reached("CaseAssigned", ids),
            "receipt": {
                f"{tag}-{number(to)}": at for to, at in texts.items() if f"{tag}-{number(to)}" in sent
            },
        }
        return Phase(name, sent, reached, waited=time.time() - min(sent.values()))


def phone(n: int) -> str:
    """A valid Cambodian mobile number, a different one for each complaint."""
    return f"097{n:07d}"


def number(e164: str) -> int:
    """The complaint number back from the E.164 form the gateway records (+85597nnnnnnn)."""
    return int(e164.removeprefix("+85597"))


def complaint(tag: str, n: int) -> bytes:
    """Complaint ``n``: a theft in Puok, Siem Reap (routed to its district police), of its own citizen."""
    return encode(
        submission(
            channel_message_id=f"{tag}-{n}",
            submitted_at=datetime.now(UTC).isoformat(),
            citizen={"name": "Sok Dara", "phone": phone(n)},
        )
    )


BENCH = "bench (load generator, watcher)"


def processes(servers: LocalServers, stack: ServiceStack) -> dict[str, int]:
    """Every process of the run by name: the services, the gateway, Kafka, PostgreSQL, this benchmark."""
    pids = {name: p.process.pid for name, p in stack.processes.items() if p.process is not None}
    kafka, postgres = read_pid(servers.kafka.pid_file), read_pid(servers.postgres.data_dir / "postmaster.pid")
    return {
        **pids,
        **({"kafka": kafka} if kafka else {}),
        **({"postgresql (all backends)": postgres} if postgres else {}),
        BENCH: os.getpid(),
    }


def profiling_env() -> dict[str, str]:
    """Run every service under cProfile (bench/profiling/sitecustomize.py), writing to PROFILES."""
    PROFILES.mkdir(parents=True, exist_ok=True)
    for old in PROFILES.glob("*.prof"):
        old.unlink()
    path = os.pathsep.join(filter(None, [str(PROFILING_HOOK), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "BENCH_PROFILE_DIR": str(PROFILES)}


def print_profiles(top: int = 15) -> None:
    """Each service's functions by their own time, written beside its profile and printed."""
    for path in sorted(PROFILES.glob("*.prof")):
        text = io.StringIO()
        pstats.Stats(str(path), stream=text).sort_stats("tottime").print_stats(top)
        path.with_suffix(".txt").write_text(text.getvalue())
        print(f"\n{path.stem}: the {top} functions with the most own time\n{text.getvalue()}")


def cpu_use(pids: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process with its children, but of this one alone (its children are the
    services and the broker, counted on their own lines)."""
    return {name: cpu_seconds(pid, descendants=name != BENCH) for name, pid in pids.items()}


async def raw_limits(servers: LocalServers) -> dict[str, Rate]:
    payloads = [(f"raw-{n}".encode(), complaint("raw", n)) for n in range(RAW_KAFKA)]
    print("raw limits ...", flush=True)
    kafka = await kafka_produce_consume(servers.kafka.bootstrap_servers, payloads)
    return {"kafka": kafka, **(await append_limits(servers, RAW_APPENDS))}


async def run(servers: LocalServers, root: Path, options: Options) -> Results:
    rates = await raw_limits(servers)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": await asyncio.to_thread(servers.new_database),
        "TOPIC_PREFIX": new_topic_prefix(),
        "SLA_POLICY_FILE": str(PRODUCTION_POLICY),
        **(profiling_env() if options.profile else {}),
    }
    stack = ServiceStack(env, root / "logs")
    try:
        print("starting the services ...", flush=True)
        await asyncio.to_thread(stack.start)
        results = await under_load(servers, stack, env, options)
    finally:
        await asyncio.to_thread(stack.stop)
    if options.profile:
        print_profiles()
    return Results(rates, *results)


async def under_load(
    servers: LocalServers, stack: ServiceStack, env: Mapping[str, str], options: Options
) -> tuple[Phase, Phase, dict[str, float], float, dict[str, tuple[int, int]]]:
    """The warm-up, the paced and the flat-out phases; CPU during the last; every process's memory."""
    bootstrap, topics = servers.kafka.bootstrap_servers, Topics(env["TOPIC_PREFIX"])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024
    )
    async with (
        asyncpg.create_pool(env["DATABASE_URL"], min_size=1, max_size=2) as pool,
        CaseEventsWatch(bootstrap, topics.case_events) as watch,
        Gateway(stack.url("devsms")) as gateway,
    ):
        await producer.start()
        try:
            load = Load(producer, topics.submissions, watch, gateway, pool)
            print(f"warm-up: {WARM_UP} complaints ...", flush=True)
            await load.phase("warm-up", WARM_UP, 0)
            paced_count = int(options.rate * options.duration)
            print(f"paced: {paced_count} complaints at {options.rate:g}/s ...", flush=True)
            paced = await load.phase(f"paced {options.rate:g}/s", paced_count, options.rate)
            if not await load.settled(SETTLE):
                print(f"  the paced phase's work was not done after {SETTLE:.0f} s more", flush=True)
            pids = processes(servers, stack)
            before = cpu_use(pids)
            print(f"flat out: {options.count} complaints ...", flush=True)
            started = time.perf_counter()
            flat = await load.phase("flat out", options.count, 0)
            wall = time.perf_counter() - started
            cpu = {name: seconds - before[name] for name, seconds in cpu_use(pids).items()}
        finally:
            await producer.stop()
    for phase in (paced, flat):
        for stage in STAGES:
            report(phase.rate(stage))
    return paced, flat, cpu, wall, {name: (peak_rss(pid), rss(pid)) for name, pid in pids.items()}


def latency_table(phases: list[Phase]) -> tuple[str, dict[str, object]]:
    header = ("phase", "stage", "n", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "target", "")
    rows: list[tuple[str, ...]] = []
    document: dict[str, object] = {}
    for phase in phases:
        for stage, stage_name in STAGES.items():
            lat, rate = phase.latency(stage), phase.rate(stage)
            goal = TARGET_P99 if stage == "assigned" and phase.name.startswith("paced") else None
            verdict = "" if goal is None else ("PASS" if lat is not None and lat.p99 < goal else "MISS")
            times = (lat.p50, lat.p95, lat.p99, lat.max) if lat is not None else ()
            ms = [f"{value * 1000:,.0f}" for value in times] or ["-"] * 4
            reached, wanted = (
                f"{rate.events}/{len(phase.sent)}",
                "" if goal is None else f"p99 < {goal * 1000:.0f}",
            )
            rows.append((phase.name, stage_name, reached, f"{rate.per_second:,.0f}", *ms, wanted, verdict))
            document[f"{phase.name}: {stage_name}"] = {
                **(lat.json() if lat is not None else {"count": 0}),
                "per_second": round(rate.per_second, 1),
            }
        missing = {stage: n for stage, n in phase.missing().items() if n}
        if missing:
            document[f"{phase.name}: missing"] = missing
    title = "latency from submission (produced to Kafka) to each stage"
    return table(title, header, rows, right={2, 3, 4, 5, 6, 7}), document


def process_table(results: Results) -> tuple[str, dict[str, object]]:
    """Memory against the target, and where the CPU went while the flat-out phase ran: per complaint, and
    the ceiling that cost puts on 2 cores (the processes' sum is the whole pipeline's cost)."""
    cpu, wall, complaints = results.cpu, results.wall, len(results.flat.sent)
    header = ("process", "peak RSS MB", "RSS MB", "CPU s", "of 1 core", "CPU ms/complaint", "target", "")
    rows: list[tuple[str, ...]] = []
    document: dict[str, object] = {}
    for name, (peak, now) in results.memory.items():
        service = name in SERVICES
        verdict = ("PASS" if peak < TARGET_RSS else "MISS") if service else ""
        goal = f"< {TARGET_RSS // MB} MB" if service else ""
        per = cpu[name] / complaints * 1000
        rows.append((name, f"{peak / MB:.0f}", f"{now / MB:.0f}", f"{cpu[name]:.1f}",
                     f"{cpu[name] / wall:.0%}", f"{per:.2f}", goal, verdict))  # fmt: skip
        document[name] = {
            "peak_rss_mb": round(peak / MB, 1),
            "rss_mb": round(now / MB, 1),
            "cpu_seconds_flat_out": round(cpu[name], 2),
            "cpu_ms_per_complaint": round(per, 3),
        }
    total = sum(cpu.values()) / complaints * 1000
    rows.append(("all", "", "", f"{sum(cpu.values()):.1f}", f"{sum(cpu.values()) / wall:.0%}", f"{total:.2f}",
                 "", ""))  # fmt: skip
    document["all"] = {
        "cpu_ms_per_complaint": round(total, 3),
        "complaints_per_second_on_2_cores": 2000 / total,
    }
    title = (
        f"processes: peak RSS over the run; CPU during the flat-out phase ({wall:.1f} s wall); at "
        f"{total:.1f} ms of CPU per complaint, 2 cores allow at most {2000 / total:,.0f} complaints/s"
    )
    return table(title, header, rows, right={1, 2, 3, 4, 5}), document


def notes(options: Options) -> list[str]:
    return [
        "Every service is its own process (python -m services.<name>), with the dev SMS gateway, on one "
        "Kafka broker (4 partitions per topic) and one PostgreSQL cluster this benchmark starts; the load "
        "generator and the case-events watcher share the same 2 cores.",
        "Complaints: valid hotline submissions (Khmer text, theft in Puok, Siem Reap: routed to its district "
        "police), each of its own citizen (phone), keyed by channel_message_id, production SLA policy.",
        "Times: sent = the wall clock just before producer.send (acks=all, linger 5 ms); ComplaintFiled and "
        "CaseAssigned = the Kafka timestamp of the record on case-events (set by the outbox relay when it "
        "publishes); receipt SMS = the gateway's date_created of the text with 'STATUS <reference>'.",
        f"Paced: {options.rate:g}/s for {options.duration:g} s after a warm-up of {WARM_UP}; flat out: "
        f"{options.count} produced at once; rate = complaints reaching the stage / (last reached - first "
        "sent). Each phase waits until every CaseAssigned and both SMS of each citizen are in.",
        f"Raw limits, same servers, before the services start: {RAW_KAFKA} complaint-sized keyed records "
        "produced and consumed at once by plain aiokafka; event store and plain asyncpg appends as in "
        f"bench.eventstore ({RAW_APPENDS} events each, fresh database).",
        "Numbers taken while other work runs on the machine are noisy; timings are informational.",
    ]


def report_all(options: Options, results: Results) -> None:
    rates, paced, flat = results.rates, results.paced, results.flat
    target = Rate(f"target: {TARGET_RATE} complaints/s", TARGET_RATE, 1.0)
    assigned, receipt = flat.rate("assigned"), flat.rate("receipt")
    compared = [
        Comparison(assigned, target, target=1.0),
        Comparison(receipt, target, target=1.0),
        Comparison(assigned, rates["kafka"]),
        Comparison(assigned, rates["raw_8"]),
        Comparison(rates["store_8"], rates["raw_8"]),
        Comparison(rates["store_many"], rates["raw_copy"]),
    ]
    latency_text, latency_json = latency_table([paced, flat])
    process_text, process_json = process_table(results)
    print()
    title = (
        f"end-to-end benchmark (complaints/s; ratio = measurement / baseline; load {os.getloadavg()[0]:.1f})"
    )
    print(render(title, compared))
    print(latency_text)
    print(process_text)
    extra = {"options": asdict(options), "latency": latency_json, "processes": process_json}
    all_rates = [*(phase.rate(stage) for phase in (paced, flat) for stage in STAGES), *rates.values(), target]
    name = "e2e-profiled" if options.profile else "e2e"  # profiled numbers are not the benchmark's
    print(f"written to {write_json(name, all_rates, compared, notes(options), extra)}")


def arguments() -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="complaints/s of the paced phase")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the paced phase")
    parser.add_argument("--count", type=int, default=5_000, help="complaints of the flat-out phase")
    parser.add_argument(
        "--profile", action="store_true", help="run the services under cProfile (slower; to find hot spots)"
    )
    parsed = parser.parse_args()
    if parsed.rate <= 0 or parsed.duration <= 0 or not 0 < parsed.count <= 100_000:
        parser.error("--rate and --duration must be positive, --count between 1 and 100000")
    return Options(parsed.rate, parsed.duration, parsed.count, parsed.profile)


def main() -> None:
    options = arguments()
    results = on_local_servers("e2e", lambda servers, root: run(servers, root, options))
    report_all(options, results)


if __name__ == "__main__":
    main()
