"""The SLA policy files: the shipped ones load, lookups fall back as documented, mistakes are named."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from services.sla.domain.policy import Duration, PolicyError, SlaPolicy, load_policy

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
MINIMAL = """
deadlines:
  default: {acknowledgement: {business: 2d}, resolution: {business: 10d}}
triage: {business: 1d}
"""


@pytest.fixture(scope="module")
def policy() -> SlaPolicy:
    return load_policy(DEPLOY / "sla-policy.yaml")


def test_real_policy(policy: SlaPolicy) -> None:
    calendar = policy.business_calendar
    ack, resolution = policy.deadlines_for("drugs", 0)
    assert (ack.business, resolution.business) == (Duration.parse("2d"), Duration.parse("10d"))
    assert ack.length(calendar) == timedelta(hours=14)
    assert resolution.length(calendar) == timedelta(hours=70)
    assert policy.triage.length(calendar) == timedelta(hours=7)
    assert policy.calendar.zone == "Asia/Phnom_Penh"
    assert (policy.ladder.top, policy.ladder.top_unit) == (2, "moi-working-group")


def test_higher_levels_are_shorter(policy: SlaPolicy) -> None:
    calendar = policy.business_calendar
    lengths = [tuple(d.length(calendar) for d in policy.deadlines_for("theft", level)) for level in range(3)]
    assert lengths == sorted(lengths, reverse=True)
    assert lengths[0] > lengths[2]


def test_lookup_order(policy: SlaPolicy) -> None:
    calendar = policy.business_calendar
    # Level 1 has its own row for violence's acknowledgement; its resolution comes from level 1's default.
    ack, resolution = policy.deadlines_for("violence", 1)
    assert ack.length(calendar) == timedelta(hours=2)
    assert resolution.length(calendar) == timedelta(hours=49)
    # Level 0 has no table: the base row for violence, then the base default.
    assert policy.deadlines_for("violence", 0).acknowledgement.length(calendar) == timedelta(hours=4)


@pytest.mark.parametrize("category", [None, "unknown-category", "other"])
def test_missing_or_unknown_category_uses_default(policy: SlaPolicy, category: str | None) -> None:
    assert policy.deadlines_for(category, 0) == policy.deadlines_for("theft", 0)


def test_levels_above_the_top_use_the_top(policy: SlaPolicy) -> None:
    assert policy.deadlines_for("theft", 7) == policy.deadlines_for("theft", 2)


def test_demo_policy_runs_in_seconds() -> None:
    demo = load_policy(DEPLOY / "sla-policy.demo.yaml")
    ack, resolution = demo.deadlines_for("theft", 0)
    assert not ack.is_business
    assert ack.length(demo.business_calendar) == timedelta(seconds=30)
    assert resolution.length(demo.business_calendar) == timedelta(seconds=90)
    assert demo.triage.length(demo.business_calendar) == timedelta(seconds=30)


def test_defaults_for_calendar_and_ladder(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(MINIMAL)
    policy = load_policy(path)
    assert policy.business_calendar.business_day == timedelta(hours=7)
    assert [rung.level for rung in policy.ladder.root] == [0, 1, 2]


def test_calendar_section(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        MINIMAL + "calendar: {workdays: [mon, tue, wed, thu, fri, sat], hours: ['07:30-11:30'],"
        " extra_holidays: [2026-04-13], removed_holidays: [2026-04-15]}\n"
    )
    calendar = load_policy(path).business_calendar
    assert calendar.business_day == timedelta(hours=4)
    assert calendar.is_business_day(date(2026, 1, 10))  # a Saturday
    assert not calendar.is_business_day(date(2026, 4, 13))
    assert calendar.is_business_day(date(2026, 4, 15))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3d", (3, timedelta())),
        ("4h", (0, timedelta(hours=4))),
        ("1h30m", (0, timedelta(minutes=90))),
        ("2d4h", (2, timedelta(hours=4))),
        ("30s", (0, timedelta(seconds=30))),
        ("1 h 30 m", (0, timedelta(minutes=90))),
    ],
)
def test_duration_parse(text: str, expected: tuple[int, timedelta]) -> None:
    duration = Duration.parse(text)
    assert (duration.days, duration.rest) == expected


@pytest.mark.parametrize(
    ("yaml", "field", "message"),
    [
        (
            "deadlines: {drugz: {acknowledgement: {business: 1d}}}",
            "deadlines",
            "unknown categories ['drugz']",
        ),
        ("deadlines: {default: {acknowledgement: {business: -2d}}}", "acknowledgement.business", "negative"),
        ("deadlines: {default: {resolution: {plain: 0s}}}", "resolution.plain", "longer than zero"),
        ("deadlines: {default: {resolution: {plain: 3 days}}}", "resolution.plain", "expected a duration"),
        ("deadlines: {default: {resolution: {plain: 3}}}", "resolution.plain", "expected a duration"),
        ("deadlines: {default: {resolution: {business: 1d, plain: 1h}}}", "resolution", "exactly one"),
        ("deadlines: {default: {resolution: {}}}", "resolution", "exactly one"),
        ("deadlines: {theft: {resolution: {business: 1d}}}", "deadlines", "default"),
        ("calendar: {hours: ['12:00-08:00']}", "calendar.hours", "must start before it ends"),
        ("calendar: {hours: ['08:00-25:00']}", "calendar.hours", "bad window"),
        ("calendar: {hours: ['08:00-12:00', '11:00-17:00']}", "calendar", "overlap"),
        ("calendar: {zone: Asia/Nowhere}", "calendar.zone", "unknown time zone"),
        ("calendar: {workdays: [monday]}", "calendar.workdays[0]", "'mon'"),
        ("calendar: {extra_holidays: [2026-02-30]}", "calendar.extra_holidays[0]", "date"),
        ("ladder: [{level: 0, name: a}, {level: 2, name: b, unit: u}]", "ladder", "numbered 0, 1, 2"),
        ("ladder: [{level: 0, name: a}]", "ladder", "top level must name its unit"),
        ("ladder: []", "ladder", "numbered"),
        ("triag: {business: 1d}", "triag", "Extra inputs"),
    ],
)
def test_mistakes_name_file_field_and_problem(tmp_path: Path, yaml: str, field: str, message: str) -> None:
    path = tmp_path / "policy.yaml"
    # Later keys replace MINIMAL's, so each case changes one section of a valid file.
    path.write_text(MINIMAL + yaml + "\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert any(field in f and message in m for f, m in raised.value.problems), raised.value.problems
    assert str(raised.value).startswith(f"{path}: ")


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("deadlines: {default: {acknowledgement: {plain: -1s}, resolution: {plain: x}}}\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    fields = [field for field, _ in raised.value.problems]
    assert fields == [
        "deadlines.default.acknowledgement.plain",
        "deadlines.default.resolution.plain",
        "triage",
    ]


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="No such file"):
        load_policy(tmp_path / "absent.yaml")
    path = tmp_path / "broken.yaml"
    path.write_text("deadlines: [\n")
    with pytest.raises(PolicyError, match=r"broken.yaml: \(yaml\)"):
        load_policy(path)
    path.write_text("")
    with pytest.raises(PolicyError, match=r"\(top level\)"):
        load_policy(path)


def test_a_ladder_beyond_the_working_group_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    rungs = "\n".join(f"  - {{level: {n}, name: rung {n}}}" for n in range(3))
    path.write_text(f"{MINIMAL}ladder:\n{rungs}\n  - {{level: 3, name: top, unit: moi-working-group}}\n")
    with pytest.raises(PolicyError, match=r"ladder: at most 3 levels \(0 to 2\), got 4"):
        load_policy(path)


def test_a_question_holds_the_clocks_seven_business_days_unless_the_policy_says(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    default = load_policy(path)
    assert default.citizen_reply_wait.length(default.business_calendar) == timedelta(hours=49)
    path.write_text(MINIMAL + "citizen_reply_wait: {plain: 20s}\n", encoding="utf-8")
    assert load_policy(path).citizen_reply_wait.length(default.business_calendar) == timedelta(seconds=20)
