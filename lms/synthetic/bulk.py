"""Bulk inserts for the synthetic district: COPY on PostgreSQL (psycopg's ``copy``),
executemany batches through SQLAlchemy on SQLite, in the session's transaction.

Primary keys are given by the writer (allocated after the table's current maximum), so
rows can refer to each other before they are written; on PostgreSQL the id sequences
are moved past them at the end (``finish``).
"""

import itertools
import json
from collections.abc import Iterator

from sqlalchemy import Table, func, select, text

from lms.extensions import db

SQLITE_BATCH = 5000


def names(text: str) -> list[str]:
    """Column names written as one string: ``names("id learner_id day")``."""
    return text.split()


def json_text(value) -> str:
    """JSON for COPY; played segments ([[from, to], ...] of floats) without the json module."""
    try:
        if all(type(start) is float and type(end) is float for start, end in value):
            return "[" + ", ".join(f"[{start!r}, {end!r}]" for start, end in value) + "]"
    except (TypeError, ValueError):
        pass
    return json.dumps(value)


class BulkWriter:
    def __init__(self, session=None):
        self.session = session or db.session
        self.postgresql = self.session.get_bind().dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def allocate(self, table: Table, count: int) -> range:
        """``count`` fresh ids for ``table``."""
        if table.name not in self._next_id:
            highest = self.session.scalar(select(func.max(table.c.id)))
            self._next_id[table.name] = (highest or 0) + 1
        first = self._next_id[table.name]
        self._next_id[table.name] = first + count
        return range(first, first + count)

    def counter(self, table: Table) -> Iterator[int]:
        """Fresh ids for ``table`` from here on (use this or ``allocate``, not both)."""
        return itertools.count(self.allocate(table, 0).start)

    def write(self, table: Table, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if self.postgresql:
            self._copy(table, columns, rows)
        else:
            statement = table.insert()
            for start in range(0, len(rows), SQLITE_BATCH):
                batch = rows[start : start + SQLITE_BATCH]
                self.session.execute(
                    statement, [dict(zip(columns, row, strict=True)) for row in batch]
                )

    def _copy(self, table: Table, columns: list[str], rows: list[tuple]) -> None:
        json_positions = [
            index
            for index, name in enumerate(columns)
            if table.c[name].type.__class__.__name__ == "JSON"
        ]
        connection = self.session.connection().connection.driver_connection
        names = ", ".join(f'"{name}"' for name in columns)
        statement = f'COPY "{table.name}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for index in json_positions:
                        row[index] = json_text(row[index])  # COPY parses the text
                copy.write_row(row)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids given here."""
        if not self.postgresql:
            return
        for name in self._next_id:
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                )
            )
