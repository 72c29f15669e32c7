"""The tokens file: dev tokens resolve to their principals; a broken file names every problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from services.intake.tokens import Principal, TokensFileError, load_tokens
from shared.places.gazetteer import load_gazetteer
from shared.places.units import build_registry

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
UNITS = build_registry(load_gazetteer())


def test_the_dev_tokens_name_their_principals() -> None:
    book = load_tokens(ROOT / "deploy" / "dev-tokens.yaml", UNITS)
    assert book.principal("dev-police-1203") == Principal("police-1203", "unit", "police:1203")
    assert book.principal("dev-working-group") == Principal("working-group", "working_group", None)
    assert book.principal("dev-nobody") is None
    assert book.principal("") is None


def test_a_broken_tokens_file_lists_every_problem(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    path = tmp_path / "tokens.yaml"
    path.write_text(
        f"""tokens:
  - {{name: a, sha256: {digest}, role: unit, unit_id: "police:9999"}}
  - {{name: b, sha256: {digest}, role: ops, unit_id: "police:1203"}}
  - {{name: c, sha256: "{"0" * 64}", role: unit}}
"""
    )
    with pytest.raises(TokensFileError) as broken:
        load_tokens(path, UNITS)
    assert len(broken.value.problems) == 4
    assert "tokens[0] (a): a unit token needs the unit_id of a known unit" in broken.value.problems


def test_a_malformed_entry_is_reported_with_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text("tokens:\n  - {name: a, sha256: nothex, role: admin}\n")
    with pytest.raises(TokensFileError) as broken:
        load_tokens(path, UNITS)
    where = {problem.split(":")[0] for problem in broken.value.problems}
    assert where == {"tokens.0.sha256", "tokens.0.role"}
