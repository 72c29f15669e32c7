"""Published development values a service refuses outside dev mode (docs/contract.md §Settings).

The dev tokens file, the dev secrets and keys are in the repository for anyone to read: a service that ran on
them in production would let anyone in. Each settings class names its own in ``dev_values()`` with the rules
below; :func:`shared.service.serve.main` refuses to start on any of them unless ``COMPLAINTS_DEV=1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A SHA-256 in hex, as a tokens file keeps each token.
_SHA256 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


@dataclass(frozen=True, slots=True)
class DevValue:
    """A setting holding a development value: its environment name and why it may not serve production."""

    setting: str
    why: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.why} (allowed only with COMPLAINTS_DEV=1)"


def published(setting: str, value: str, dev_value: str) -> DevValue | None:
    """The setting still holds the development value published in the repository."""
    return DevValue(setting, "is the published development value") if value == dev_value else None


def blank(setting: str, value: str) -> DevValue | None:
    """A secret left empty (its check is then off)."""
    return DevValue(setting, "is empty") if not value.strip() else None


def dev_file(setting: str, path: Path, dev_path: Path) -> DevValue | None:
    """The setting names the development file, or a file holding any of its token hashes: one published
    token in an otherwise private file lets anyone in as that token's principal, so a copy with an entry
    added, removed or reordered is refused as well as a byte-exact one."""
    if not path.is_file() or not dev_path.is_file():
        return None  # a missing file is the file check's to report
    if path.resolve() == dev_path.resolve():
        return DevValue(setting, f"is the development file {path} (its tokens are published)")
    shared = _hashes(path.read_text(errors="replace")) & _hashes(dev_path.read_text(errors="replace"))
    if shared:
        return DevValue(
            setting,
            f"holds {len(shared)} token hash(es) of the development file ({path}): "
            "their tokens are published",
        )
    return None


def _hashes(text: str) -> set[str]:
    return {found.lower() for found in _SHA256.findall(text)}


def found(*checks: DevValue | None) -> list[DevValue]:
    """The development values among ``checks``."""
    return [check for check in checks if check is not None]
