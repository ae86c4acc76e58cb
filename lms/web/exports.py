"""Spreadsheets people download: CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX;
and the XLSX files people upload, read.

Every cell that starts like a formula (``= + - @``, a tab or a carriage return) is
written as text, so a name someone typed never runs in the spreadsheet of the person
who downloads it.
"""

import csv
import io
from collections.abc import Iterable, Sequence

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = set("\\/?*[]:")


def safe_cell(value):
    """The value as a spreadsheet should hold it: formula-looking text is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    """``rows`` (the header row first) as CSV; None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class XlsxSheet:
    """One worksheet, filled row by row; every value goes through ``safe_cell``."""

    def __init__(self, worksheet):
        self.worksheet = worksheet

    def row(self, values: Sequence = (), *, bold: bool = False, formats: dict | None = None):
        """Append a row; ``formats`` maps a 1-based column to a number format."""
        self.worksheet.append([safe_cell(value) for value in values])
        number = self.worksheet.max_row
        if bold:
            from openpyxl.styles import Font  # imported on use, as in XlsxBook

            for cell in self.worksheet[number]:
                cell.font = Font(bold=True)
        for column, number_format in (formats or {}).items():
            self.worksheet.cell(row=number, column=column).number_format = number_format
        return self

    def header(self, values: Sequence):
        return self.row(values, bold=True)

    def widths(self, widths: Sequence[float]):
        for index, width in enumerate(widths, start=1):
            letter = self.worksheet.cell(row=1, column=index).column_letter
            self.worksheet.column_dimensions[letter].width = width
        return self

    def freeze_top_row(self):
        self.worksheet.freeze_panes = "A2"
        return self


class XlsxBook:
    """A workbook of one or more sheets; ``to_bytes()`` gives the file."""

    def __init__(self):
        # openpyxl (with lxml and Pillow, ~13 MiB) is imported by the first spreadsheet
        # made, not by every process that imports a view able to make one.
        from openpyxl import Workbook

        self.workbook = Workbook()
        self._used_first = False

    def sheet(self, title: str, fallback: str = "sheet") -> XlsxSheet:
        if self._used_first:
            worksheet = self.workbook.create_sheet()
        else:
            worksheet, self._used_first = self.workbook.active, True
        cleaned = "".join(c for c in title if c not in _SHEET_TITLE_FORBIDDEN)[:31]
        worksheet.title = cleaned or fallback
        return XlsxSheet(worksheet)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def xlsx_bytes(
    title: str,
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    widths: Sequence[float] = (),
    fallback: str = "sheet",
) -> bytes:
    """The common case: one sheet, a bold header row, the rows."""
    book = XlsxBook()
    sheet = book.sheet(title, fallback).header(header)
    for row in rows:
        sheet.row(row)
    sheet.widths(widths).freeze_top_row()
    return book.to_bytes()


def read_workbook(stream):
    """An uploaded XLSX file, opened read-only with cells as their values."""
    from openpyxl import load_workbook  # imported on use, as in XlsxBook

    return load_workbook(stream, read_only=True, data_only=True)
