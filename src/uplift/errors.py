"""One family of exceptions. The CLI turns them into one-line messages."""

from __future__ import annotations

from dataclasses import dataclass, field


class UpliftError(Exception):
    """Base class for problems the user can fix. Exit code 1 unless stated."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UnreadableFile(UpliftError):
    """A file that cannot be read at all (not a workbook, encrypted, corrupt)."""

    exit_code = 2


class NoData(UpliftError):
    """Nothing to analyse."""


class UsageError(UpliftError):
    """Bad options or configuration."""

    exit_code = 2


class WorkspaceBusy(UpliftError):
    """Another writer holds the workspace."""


@dataclass(frozen=True)
class Problem:
    """A located problem in an input file: where, and what is wrong."""

    file: str
    problem: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = field(default=None, compare=False)

    def location(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f'sheet "{self.sheet}"')
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.problem}"


class InputProblem(UpliftError):
    """A file, sheet, row or column the loader cannot use."""

    def __init__(self, problem: Problem, hint: str = "", exit_code: int = 1) -> None:
        super().__init__(str(problem), hint)
        self.problem = problem
        self.exit_code = exit_code
