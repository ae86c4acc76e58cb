"""A dashboard table as CSV or XLSX (``lms.web.exports``): the header row, then the rows
exactly as the page shows them (empty where the page shows "—")."""

from lms.reports.tables import ReportTable
from lms.web.exports import csv_bytes, xlsx_bytes


def as_csv(table: ReportTable) -> bytes:
    return csv_bytes([[column.label for column in table.columns], *table.rows])


def as_xlsx(table: ReportTable) -> bytes:
    return xlsx_bytes(
        table.title,
        [column.label for column in table.columns],
        table.rows,
        widths=[28 if column.kind == "text" else 14 for column in table.columns],
        fallback=table.name,
    )
