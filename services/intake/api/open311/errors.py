"""The standard's errors: ``[{"code", "description"}]`` or ``<errors><error><code/><description/></error>``.

One error per problem, each with the HTTP status as its ``code`` (as the standard's examples do) and a
description naming the field in the standard's terms; never a value the client sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import Response

from services.intake.api.open311.render import Format, respond
from services.intake.domain.problems import Problem


class Open311Error(Exception):
    """An answer other than success, raised from an Open311 route."""

    def __init__(
        self, status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__("; ".join(describe(p) for p in problems))
        self.status = status
        self.problems = tuple(problems)
        self.headers = headers

    @classmethod
    def of(cls, status: int, message: str, headers: dict[str, str] | None = None) -> Open311Error:
        return cls(status, [Problem(None, message, "refused")], headers)

    def response(self, fmt: Format) -> Response:
        body = [{"code": self.status, "description": describe(p)} for p in self.problems]
        return respond(fmt, "errors", body, self.status, self.headers)


def describe(problem: Problem) -> str:
    return f"{problem.field}: {problem.message}" if problem.field else problem.message
