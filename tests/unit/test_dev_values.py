"""The dev tokens file is refused outside dev mode however it is disguised (docs/contract.md §Dev values):
any tokens file that holds a token hash of the published one."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.service.dev_values import dev_file

pytestmark = pytest.mark.unit
DEV = Path(__file__).resolve().parents[2] / "deploy" / "dev-tokens.yaml"
PRIVATE = "tokens:\n  - name: ops\n    sha256: " + "ab" * 32 + "\n    role: ops\n"


def test_the_dev_file_with_a_line_added_is_refused(tmp_path: Path) -> None:
    extended = tmp_path / "tokens.yaml"
    extended.write_text(DEV.read_text() + "# ours\n")
    found = dev_file("API_TOKENS_FILE", extended, DEV)
    assert found is not None
    assert "token hash(es) of the development file" in str(found)


def test_one_published_entry_in_a_private_file_is_refused(tmp_path: Path) -> None:
    published = next(line for line in DEV.read_text().splitlines() if "sha256:" in line)
    mixed = tmp_path / "tokens.yaml"
    mixed.write_text(PRIVATE + "  - name: leaked\n" + published.upper().replace("SHA256", "sha256") + "\n")
    found = dev_file("API_TOKENS_FILE", mixed, DEV)
    assert found is not None
    assert "holds 1 token hash(es)" in str(found)


def test_a_file_of_private_tokens_passes(tmp_path: Path) -> None:
    private = tmp_path / "tokens.yaml"
    private.write_text(PRIVATE)
    assert dev_file("API_TOKENS_FILE", private, DEV) is None
    assert dev_file("API_TOKENS_FILE", DEV, DEV) is not None
