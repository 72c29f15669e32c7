"""Bearer tokens (docs/contract.md §HTTP): ``API_TOKENS_FILE`` maps the SHA-256 of each token to a principal.

The file keeps no token, only its hash: ``tokens: [{name, sha256, role, unit_id}]``. It is read once at
start-up and every problem in it is reported at once, so a broken file stops the service before it
serves anyone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.places.units import UnitRegistry
from shared.service.configuration import ConfigurationError

Role = Literal["unit", "working_group", "channel", "ops"]


class TokensFileError(ConfigurationError):
    """The tokens file cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.problems = problems


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    role: Role
    unit_id: str | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokens: list[_Entry] = []


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a token speaks for. ``unit_id`` is set for units."""

    name: str
    role: Role
    unit_id: str | None = None


class TokenBook:
    """Principals by token hash."""

    def __init__(self, principals: dict[str, Principal]) -> None:
        self._by_hash = principals

    def principal(self, token: str) -> Principal | None:
        """The principal of ``token``, or None when no entry has its hash."""
        return self._by_hash.get(hashlib.sha256(token.encode()).hexdigest())

    def __len__(self) -> int:
        return len(self._by_hash)


def load_tokens(path: Path, units: UnitRegistry) -> TokenBook:
    """Read the tokens file; raises :class:`TokensFileError` listing every problem."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = _File.model_validate(raw or {}).tokens
    except (OSError, yaml.YAMLError) as error:
        raise TokensFileError(str(path), [str(error)]) from error
    except ValidationError as error:
        found = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_input=False)]
        raise TokensFileError(str(path), found) from error
    problems: list[str] = []
    principals: dict[str, Principal] = {}
    for i, entry in enumerate(entries):
        where = f"tokens[{i}] ({entry.name})"
        if entry.role == "unit" and (entry.unit_id is None or entry.unit_id not in units):
            problems.append(f"{where}: a unit token needs the unit_id of a known unit")
        if entry.role != "unit" and entry.unit_id is not None:
            problems.append(f"{where}: only unit tokens have a unit_id")
        digest = entry.sha256.lower()
        if digest in principals:
            problems.append(f"{where}: the same token hash appears twice")
        principals[digest] = Principal(entry.name, entry.role, entry.unit_id)
    if problems:
        raise TokensFileError(str(path), problems)
    return TokenBook(principals)
