"""A dashboard table as CSV (UTF-8 with BOM, for Excel) or XLSX (openpyxl): the header
row, then the rows exactly as the page shows them (empty where the page shows "—")."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lms.reports.tables import ReportTable

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    # A cell starting like a formula is shown as text, never run by a spreadsheet.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(table: ReportTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if value is None else _cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: ReportTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(c for c in table.title if c not in "\\/?*[]:")[:31] or table.name
    sheet.append([_cell(column.label) for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(value) for value in row])
    for index, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 28 if column.kind == "text" else 14
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
