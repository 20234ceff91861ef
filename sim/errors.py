"""One error type for bad input, so every failure prints as one line naming file, row and field."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input: a scenario file, a table row, a command-line value.

    Printed by the command line as ``error: <file>[:<row>]: <field>: <message>`` and exit code 2.
    ``row`` is the 1-based line number in the file (the CSV header is line 1).
    """

    def __init__(self, file: str | None, field: str | None, message: str, row: int | None = None):
        self.file = str(file) if file is not None else "<input>"
        self.row = row
        self.field = field or "-"
        self.message = message
        super().__init__(self.line())

    def line(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.field}: {self.message}"
