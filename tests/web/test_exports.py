import csv
import io

import pytest
from openpyxl import load_workbook

from lms.web.exports import XlsxBook, csv_bytes, safe_cell, xlsx_bytes

FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_looking_text_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "a=b", "", 12, -3.5, None])
def test_other_values_are_kept(value):
    assert safe_cell(value) == value


def test_csv_starts_with_a_bom_and_escapes_every_cell():
    data = csv_bytes([["姓名", "备注"], ["=1+1", None], ["李四", "-x"]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["姓名", "备注"], ["'=1+1", ""], ["李四", "'-x"]]


def test_xlsx_escapes_header_and_rows_and_cleans_the_sheet_title():
    data = xlsx_bytes("a/b:c[d]*?", ["=name"], [["@evil", 3]], widths=(20, 8))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "abcd"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["'=name", None],
        ["'@evil", 3],
    ]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 20


def test_a_book_holds_several_sheets_with_number_formats():
    book = XlsxBook()
    book.sheet("一").row(["x", 0.5], formats={2: "0%"})
    book.sheet("///", fallback="second").row(["+y"])
    workbook = load_workbook(io.BytesIO(book.to_bytes()))
    assert workbook.sheetnames == ["一", "second"]
    assert workbook["一"]["B1"].number_format == "0%"
    assert workbook["second"]["A1"].value == "'+y"
