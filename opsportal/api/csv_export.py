"""Writing CSV downloads: every export writes through these, so every cell passes ``domain.csv_safety.safe_cell``
(no cell a spreadsheet would run as a formula; plain numbers stay numbers).

- ``csv_rows(header, rows)``: the lines of a CSV (header first), one string per row, for a streamed response.
- ``csv_text(header, rows)``: the whole CSV as one string.
- ``SafeCsvWriter``: ``writerow``/``writerows`` then ``take()`` what was written since, for writing in batches.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from opsportal.domain.csv_safety import safe_cell


class SafeCsvWriter:
    """A ``csv.writer`` into memory whose every cell goes through ``safe_cell``."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(c) for c in cells])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)

    def take(self) -> str:
        """What was written since the last ``take`` (and forget it)."""
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def csv_rows(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV's lines, header first, each cell made safe; rows are read as they are needed (streaming)."""
    writer = SafeCsvWriter()
    writer.writerow(header)
    yield writer.take()
    for row in rows:
        writer.writerow(row)
        yield writer.take()


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    return "".join(csv_rows(header, rows))
