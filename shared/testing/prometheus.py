"""A real Prometheus in end-to-end runs: its configuration for a stack on free ports, its HTTP API, and the
dashboard's panels and queries (deploy/grafana), which the tests ask and the picture of docs/ plots."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.prometheus import CONFIG

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "dashboards" / "complaints.json"


def write_config(
    directory: Path,
    targets: Mapping[str, Sequence[str]],
    rule_files: Sequence[Path],
    *,
    scrape_every: str = "3s",
    evaluate_every: str = "1s",
) -> Path:
    """deploy/prometheus/prometheus.yml with ``targets`` (addresses by job), ``rule_files``, short intervals.

    Written into ``directory`` with its targets file beside it; returns the configuration's path.
    """
    directory.mkdir(parents=True, exist_ok=True)
    groups = [{"targets": list(addresses), "labels": {"job": job}} for job, addresses in targets.items()]
    targets_file = directory / "targets.yml"
    targets_file.write_text(yaml.safe_dump(groups))
    config: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    config["global"] = {
        "scrape_interval": scrape_every,
        "scrape_timeout": scrape_every,
        "evaluation_interval": evaluate_every,
    }
    config["rule_files"] = [str(path) for path in rule_files]
    [scrape] = config["scrape_configs"]
    scrape["file_sd_configs"] = [{"files": [str(targets_file)], "refresh_interval": "1s"}]
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


class PrometheusError(RuntimeError):
    """Prometheus answered a query with an error."""


class PrometheusApi:
    """The parts of Prometheus's HTTP API the tests and the dashboard picture use."""

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self.url = url
        self._client = client

    async def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector (or scalar, as one sample) ``expr`` gives now."""
        data = await self._get("/api/v1/query", {"query": expr})
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": data["result"]}]
        result: list[dict[str, Any]] = data["result"]
        return result

    async def value(self, expr: str) -> float | None:
        """The one value ``expr`` gives now, or None when it gives nothing."""
        samples = await self.query(expr)
        return float(samples[0]["value"][1]) if samples else None

    async def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        """The series ``expr`` gives from ``start`` to ``end`` (Unix seconds), a point every ``step``."""
        data = await self._get(
            "/api/v1/query_range", {"query": expr, "start": start, "end": end, "step": step}
        )
        result: list[dict[str, Any]] = data["result"]
        return result

    async def alerts(self) -> list[dict[str, Any]]:
        """Alerts pending or firing now, each with its labels, annotations and ``state``."""
        data = await self._get("/api/v1/alerts", {})
        alerts: list[dict[str, Any]] = data["alerts"]
        return alerts

    async def targets(self) -> list[dict[str, Any]]:
        """The active scrape targets, each with its labels and ``health`` (up, down, unknown)."""
        data = await self._get("/api/v1/targets", {"state": "active"})
        targets: list[dict[str, Any]] = data["activeTargets"]
        return targets

    async def _get(self, path: str, params: Mapping[str, str | float]) -> Any:
        answer = await self._client.get(f"{self.url}{path}", params=params, timeout=10)
        body = answer.json()
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {dict(params)}: {body.get('error', answer.text)}")
        return body["data"]


@dataclass(frozen=True)
class Query:
    """One query of a panel, and how the legend names each of its series."""

    expr: str
    legend: str

    def name(self, labels: Mapping[str, str]) -> str:
        """The legend with ``{{label}}`` filled in, as Grafana shows it."""
        text = self.legend
        for key, value in labels.items():
            text = text.replace(f"{{{{{key}}}}}", value)
        return text


@dataclass(frozen=True)
class Panel:
    """A graph of the dashboard: its title, unit, place on the 24-column grid, and queries."""

    title: str
    unit: str
    x: int
    y: int
    width: int
    height: int
    queries: tuple[Query, ...]
    thresholds: tuple[float, ...] = ()


def dashboard_panels(path: Path = DASHBOARD) -> list[Panel]:
    """The dashboard's graphs (not its rows), in the order it lays them out."""
    dashboard = json.loads(path.read_text())
    panels = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        defaults = panel["fieldConfig"]["defaults"]
        steps = defaults.get("thresholds", {}).get("steps", [])
        grid = panel["gridPos"]
        panels.append(
            Panel(
                title=panel["title"],
                unit=defaults.get("unit", "short"),
                x=grid["x"],
                y=grid["y"],
                width=grid["w"],
                height=grid["h"],
                queries=tuple(Query(t["expr"], t.get("legendFormat", "")) for t in panel["targets"]),
                thresholds=tuple(step["value"] for step in steps if step["value"] is not None),
            )
        )
    return sorted(panels, key=lambda p: (p.y, p.x))
