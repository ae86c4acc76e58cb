"""Questions in and out of XLSX, in one documented template (docs/assessment.md):

题型 | 题干 | 选项A … 选项F | 答案 | 分值 | 难度 | 知识点 | 解析

题型: 单选, 多选, 多选(部分得分), 判断, 填空, 简答. 答案: a letter for 单选 ("B"), letters
for 多选 ("ACD" or "A,C,D"), 正确/错误 (对/错, √/×, T/F) for 判断, for 填空 the blanks
separated by ";" and a blank's accepted answers by "|" ("北京|Beijing;京"), for 简答 an
optional reference answer. 分值 a number (default 1), 难度 易/中/难 (default 中), 知识点
tags separated by commas or 、.

Import checks every row first. When any row is bad, nothing is imported (unless the
teacher asked for the good rows only); the report says, per row, what was refused and why.
"""

import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from lms.assessment.models import MAX_OPTIONS
from lms.assessment.questions import (
    AssessmentError,
    QuestionData,
    clean_tags,
    create_question,
    current_versions_query,
    data_of,
    validate,
)
from lms.courses.models import Course
from lms.extensions import db
from lms.web.exports import XlsxBook, read_workbook

LETTERS = "ABCDEF"
HEADER = (
    "题型",
    "题干",
    *(f"选项{letter}" for letter in LETTERS),
    "答案",
    "分值",
    "难度",
    "知识点",
    "解析",
)
TYPE_NAMES = {
    "单选": ("single", False),
    "单选题": ("single", False),
    "single": ("single", False),
    "多选": ("multiple", False),
    "多选题": ("multiple", False),
    "multiple": ("multiple", False),
    "多选(部分得分)": ("multiple", True),
    "多选题(部分得分)": ("multiple", True),
    "判断": ("true_false", False),
    "判断题": ("true_false", False),
    "true_false": ("true_false", False),
    "填空": ("fill_blank", False),
    "填空题": ("fill_blank", False),
    "fill_blank": ("fill_blank", False),
    "简答": ("short_answer", False),
    "简答题": ("short_answer", False),
    "short_answer": ("short_answer", False),
}
TYPE_LABELS = {"single": "单选", "multiple": "多选", "true_false": "判断", "fill_blank": "填空"}
TYPE_LABELS["short_answer"] = "简答"
DIFFICULTY_NAMES = {"易": "easy", "中": "medium", "难": "hard", "": "medium"}
DIFFICULTY_LABELS = {value: key for key, value in DIFFICULTY_NAMES.items() if key}
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "t", "true", "y", "yes"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "f", "false", "n", "no"}
MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 5 * 2**20

EXAMPLES = (
    ("单选", "柯桥区属于哪个市？", "杭州市", "绍兴市", "宁波市", "", "", "", "B", 2, "易",
     "地理", ""),
    ("多选(部分得分)", "哪些是好的密码习惯？", "不同网站用不同密码", "告诉陌生人", "定期更换",
     "", "", "", "AC", 4, "中", "安全、密码", "不要泄露密码。"),
    ("判断", "视频通话需要网络。", "", "", "", "", "", "", "正确", 1, "易", "", ""),
    ("填空", "中国的首都是____，简称____。", "", "", "", "", "", "", "北京|Beijing;京", 2,
     "中", "地理", ""),
    ("简答", "写出一条防诈骗知识。", "", "", "", "", "", "", "不轻信陌生来电", 5, "难",
     "安全", ""),
)  # fmt: skip


class ImportFileError(AssessmentError):
    """The file as a whole is refused (unreadable, columns missing, too many rows)."""


@dataclass
class RowReport:
    row_number: int
    stem: str
    imported: bool
    reason: str = ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _letters(answer: str) -> list[int]:
    letters = re.sub(r"[\s,，、;；]", "", answer.upper())
    if not letters or any(letter not in LETTERS for letter in letters):
        raise AssessmentError(_("The answer must be option letters, such as B or ACD."))
    return sorted({LETTERS.index(letter) for letter in letters})


def row_to_data(cells: dict[str, str]) -> QuestionData:
    """One sheet row (header → text) as QuestionData; AssessmentError says what is wrong."""
    type_name = cells["题型"].replace("（", "(").replace("）", ")").replace(" ", "")
    if type_name.lower() not in TYPE_NAMES:
        raise AssessmentError(_("Unknown question type: %(type)s", type=cells["题型"] or "—"))
    kind, partial = TYPE_NAMES[type_name.lower()]
    if cells["难度"] not in DIFFICULTY_NAMES:
        raise AssessmentError(_("Difficulty must be 易, 中 or 难."))
    try:
        points = float(cells["分值"]) if cells["分值"] else 1.0
    except ValueError:
        raise AssessmentError(_("Points must be a number.")) from None
    data = QuestionData(
        type=kind,
        stem=cells["题干"],
        points=points,
        difficulty=DIFFICULTY_NAMES[cells["难度"]],
        tags=clean_tags(cells["知识点"]),
        explanation=cells["解析"],
        partial_credit=partial,
    )
    answer = cells["答案"]
    if kind in ("single", "multiple"):
        options = [cells[f"选项{letter}"] for letter in LETTERS]
        while options and not options[-1]:
            options.pop()
        data.options = options
        data.correct = _letters(answer)
        if any(index >= len(options) for index in data.correct):
            raise AssessmentError(_("The answer names an option that is empty."))
    elif kind == "true_false":
        word = answer.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise AssessmentError(_("The answer of a true/false question is 正确 or 错误."))
        data.true_false = word in TRUE_WORDS
    elif kind == "fill_blank":
        blanks = [part for part in re.split(r"[;；]", answer) if part.strip()]
        data.blanks = [[text.strip() for text in blank.split("|")] for blank in blanks]
    else:
        data.reference_answer = answer
    validate(data)
    return data


def read_limited(stream, limit: int | None = None) -> io.BytesIO:
    """The uploaded file in memory, refused above ``limit`` bytes (MAX_IMPORT_BYTES)."""
    limit = limit or MAX_IMPORT_BYTES
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(_("The file is larger than %(mb)d MB.", mb=limit // 2**20))
    return io.BytesIO(data)


def read_rows(stream) -> list[tuple[int, dict[str, str]]]:
    """The sheet's filled rows as (row number, {header: text})."""
    stream = read_limited(stream)
    try:
        workbook = read_workbook(stream)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(cell) for cell in next(rows, ())]
    except Exception as error:
        raise ImportFileError(_("This is not a readable XLSX file.")) from error
    required = ("题型", "题干", "答案")
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(
            _("The sheet lacks the columns: %(columns)s", columns="、".join(missing))
        )
    filled = []
    for row_number, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue
        if len(filled) >= MAX_IMPORT_ROWS:
            raise ImportFileError(_("At most %(n)d rows per import.", n=MAX_IMPORT_ROWS))
        values = {name: "" for name in HEADER}
        for index, name in enumerate(header):
            if name in values and index < len(row):
                values[name] = _text(row[index])
        filled.append((row_number, values))
    return filled


def import_questions(
    course: Course, stream, *, actor, good_rows_only: bool = False
) -> list[RowReport]:
    """Check every row; import all (or, when asked, the good ones), or nothing."""
    checked = []
    for row_number, cells in read_rows(stream):
        try:
            checked.append((row_number, cells["题干"], row_to_data(cells), ""))
        except AssessmentError as error:
            checked.append((row_number, cells["题干"], None, str(error)))
    if not checked:
        raise ImportFileError(_("The sheet has no questions."))
    any_bad = any(data is None for _row, _stem, data, _reason in checked)
    report = []
    for row_number, stem, data, reason in checked:
        imported = data is not None and (good_rows_only or not any_bad)
        if imported:
            create_question(course, data, actor=actor)
        elif data is not None:
            reason = _("Not imported: other rows have errors.")
        report.append(RowReport(row_number, stem[:60], imported, reason))
    db.session.flush()
    return report


def template_bytes() -> bytes:
    book = XlsxBook()
    sheet = book.sheet("题库")
    sheet.header(HEADER)
    for example in EXAMPLES:
        sheet.row(example)
    sheet.widths([14, 40, *([16] * MAX_OPTIONS), 16, 8, 8, 16, 30])
    return book.to_bytes()


def export_bytes(course: Course) -> bytes:
    """The course's current questions, in the import template."""
    book = XlsxBook()
    sheet = book.sheet("题库")
    sheet.header(HEADER)
    for version in db.session.scalars(current_versions_query(course.id)):
        sheet.row(_export_row(version))
    sheet.widths([14, 40, *([16] * MAX_OPTIONS), 16, 8, 8, 16, 30])
    return book.to_bytes()


def _export_row(version) -> list:
    data = data_of(version)
    kind = TYPE_LABELS[data.type] + ("(部分得分)" if data.partial_credit else "")
    options = (data.options + [""] * MAX_OPTIONS)[:MAX_OPTIONS]
    if data.type in ("single", "multiple"):
        answer = "".join(LETTERS[index] for index in data.correct)
    elif data.type == "true_false":
        answer = "正确" if data.true_false else "错误"
    elif data.type == "fill_blank":
        answer = ";".join("|".join(blank) for blank in data.blanks)
    else:
        answer = data.reference_answer
    points = int(data.points) if float(data.points).is_integer() else data.points
    return [
        kind,
        data.stem,
        *options,
        answer,
        points,
        DIFFICULTY_LABELS[data.difficulty],
        "、".join(data.tags),
        data.explanation,
    ]
