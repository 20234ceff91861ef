"""Errors for bad input: each problem prints as one line naming file, row and field.

``InputError`` is one problem.  ``InputErrors`` is several, found in one pass over a scenario (the
loader does not stop at the first): the command line prints one ``error:`` line per problem, up
to :data:`MAX_REPORTED`, then ``... and N more``.  :class:`Problems` collects them.
"""

from __future__ import annotations

from pathlib import Path

MAX_REPORTED = 50   # problems printed by one validate; the rest are counted


class InputError(Exception):
    """Bad user input: a scenario file, a table row, a command-line value.

    Printed by the command line as ``error: <file>[:<row>]: <field>: <message>`` and exit code 2.
    ``file`` names the file that holds the problem (or ``command line``); ``row`` is the 1-based
    line number in the file (the CSV header is line 1).
    """

    def __init__(self, file: str | Path | None, field: str | None, message: str, row: int | None = None):
        self.file = str(file) if file is not None else "<input>"
        self.row = row
        self.field = field or "-"
        self.message = message
        super().__init__(self.line())

    def line(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.field}: {self.message}"

    @property
    def problems(self) -> list["InputError"]:
        return [self]

    def lines(self, limit: int = MAX_REPORTED) -> list[str]:
        """``error: ...`` lines, at most ``limit`` of them, then ``... and N more``."""
        probs = self.problems
        out = [f"error: {p.line()}" for p in probs[:limit]]
        if len(probs) > limit:
            out.append(f"... and {len(probs) - limit} more (fix these and validate again)")
        return out


class InputErrors(InputError):
    """Several problems at once; its own file/row/field/message are those of the first."""

    def __init__(self, problems: list[InputError]):
        if not problems:
            raise ValueError("problems must not be empty")
        self._problems = list(problems)
        first = self._problems[0]
        super().__init__(first.file, first.field, first.message, first.row)

    @property
    def problems(self) -> list[InputError]:
        return list(self._problems)

    def __str__(self) -> str:
        return "\n".join(p.line() for p in self._problems)


class Problems:
    """Collects the problems of one pass; ``raise_if_any`` raises them together."""

    def __init__(self) -> None:
        self.items: list[InputError] = []
        self._seen: set[str] = set()

    def add(self, file, field: str | None, message: str, row: int | None = None) -> None:
        self.extend(InputError(file, field, message, row))

    def extend(self, err: InputError) -> None:
        for p in err.problems:
            if p.line() not in self._seen:     # one cause reached two ways is reported once
                self._seen.add(p.line())
                self.items.append(p)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputErrors(self.items) if len(self.items) > 1 else self.items[0]
