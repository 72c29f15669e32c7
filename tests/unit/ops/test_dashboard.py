"""deploy/grafana: the dashboard's queries are PromQL that promtool accepts, read series the rules record,
and name the provisioned data source; its picture is drawn from the same panels."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bench.dashboard_plot import Series, render
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.prometheus import PROMETHEUS_DIR
from shared.testing.prometheus import DASHBOARD, Query, dashboard_panels

pytestmark = pytest.mark.unit

GRAFANA = PROJECT_ROOT / "deploy" / "grafana"
RECORDED = re.compile(r"(?<![\w:])[a-z_]*:[a-z_0-9:]+")  # level:metric:operations, the level may be empty


def recorded_names() -> set[str]:
    rules = yaml.safe_load((PROMETHEUS_DIR / "rules" / "recording.yml").read_text())
    return {rule["record"] for group in rules["groups"] for rule in group["rules"]}


def test_every_panel_query_is_promql_promtool_accepts(tmp_path: Path) -> None:
    queries = [query.expr for panel in dashboard_panels() for query in panel.queries]
    as_rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{n}", "expr": expr} for n, expr in enumerate(queries)
    ]}]}  # fmt: skip
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(as_rules))
    program = shutil.which("promtool")
    assert program is not None, "no promtool: install Debian's prometheus package (make install does)"
    checked = subprocess.run(
        [program, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_recorded_series_the_dashboard_reads_are_recorded() -> None:
    read = {
        name
        for panel in dashboard_panels()
        for query in panel.queries
        for name in RECORDED.findall(query.expr)
    }
    assert read
    assert read - recorded_names() == set()


def test_every_panel_has_a_query_and_names_the_provisioned_data_source() -> None:
    provisioned = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = provisioned["datasources"]
    dashboard = json.loads(DASHBOARD.read_text())
    graphs = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(graphs) == len(dashboard_panels()) >= 15
    for panel in graphs:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        assert {target["datasource"]["uid"] for target in panel["targets"]} == {source["uid"]}


def test_a_legend_names_each_series_by_its_labels() -> None:
    query = Query("x", "{{group}} on {{topic}}")
    assert (
        query.name({"group": "routing", "topic": "case-events", "job": "routing"}) == "routing on case-events"
    )


def test_the_picture_draws_every_panel_into_a_png(tmp_path: Path) -> None:
    panels = dashboard_panels()
    series = {
        panel.title: [Series("a line", [(1_800_000_000.0 + 5 * i, float(i)) for i in range(50)])]
        for panel in panels
    }
    series[panels[0].title] = []  # a panel without data says so
    path = tmp_path / "dashboard.png"
    window = (1_800_000_000.0, 1_800_000_250.0)
    render(panels, series, path, title="test", window=window, marks=[(1_800_000_100.0, "Kafka stopped")])
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_runbook_shows_the_picture_of_the_dashboard() -> None:
    assert (PROJECT_ROOT / "docs" / "dashboard.png").read_bytes().startswith(b"\x89PNG")
    assert "](dashboard.png)" in (PROJECT_ROOT / "docs" / "runbook.md").read_text()
