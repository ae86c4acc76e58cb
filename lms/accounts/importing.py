"""Bulk import of learners from an XLSX sheet, with a row-by-row report."""

from dataclasses import dataclass

from flask_babel import gettext as _

from lms.accounts.audit import record_event
from lms.accounts.models import User
from lms.accounts.services import AccountError, NewUser, generate_password, register_learner
from lms.extensions import db
from lms.web.errors import DomainError
from lms.web.exports import read_workbook

# Header cells accepted for each field (Chinese sheet headers first).
COLUMNS = {
    "username": ("用户名", "username"),
    "display_name": ("姓名", "name", "display name"),
    "phone": ("手机", "手机号", "phone"),
    "birth_year": ("出生年份", "birth year"),
    "town_code": ("镇街代码", "town code"),
    "password": ("初始密码", "password"),
}
REQUIRED = ("username", "display_name", "town_code")


@dataclass
class ImportRow:
    row_number: int
    username: str
    created: bool
    reason: str = ""
    password: str = ""  # a generated password, shown once in the report


class ImportFileError(DomainError):
    """The sheet as a whole is refused (unreadable, columns missing, too many rows)."""


def _header_map(header_cells) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header_cells):
        label = str(cell or "").strip().lower()
        for field, names in COLUMNS.items():
            if label in names:
                found[field] = index
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        wanted = ", ".join(COLUMNS[field][0] for field in missing)
        raise ImportFileError(_("The sheet lacks the columns: %(columns)s", columns=wanted))
    return found


def _cell(row, columns, field) -> str:
    index = columns.get(field)
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_learners(stream, *, actor: User, max_rows: int) -> list[ImportRow]:
    """Create one learner per row; a bad row is refused with its reason, others go on."""
    try:
        workbook = read_workbook(stream)
    except Exception as error:
        raise ImportFileError(_("This is not a readable XLSX file.")) from error
    rows = workbook.active.iter_rows(values_only=True)
    columns = _header_map(next(rows, ()))
    # The whole sheet is refused before anyone is created (no half-done import).
    filled = []
    for row_number, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue
        if len(filled) >= max_rows:
            raise ImportFileError(_("At most %(n)d rows per import.", n=max_rows))
        filled.append((row_number, row))
    report = [_import_row(row_number, row, columns, actor) for row_number, row in filled]
    record_event(
        "users.imported",
        actor=actor,
        target_type="import",
        created=sum(1 for row in report if row.created),
        refused=sum(1 for row in report if not row.created),
    )
    return report


def _import_row(row_number, row, columns, actor) -> ImportRow:
    username = _cell(row, columns, "username")
    given_password = _cell(row, columns, "password")
    password = given_password or generate_password()
    birth_year_text = _cell(row, columns, "birth_year")
    try:
        birth_year = int(birth_year_text) if birth_year_text else None
    except ValueError:
        return ImportRow(row_number, username, False, _("The birth year is not a number."))
    data = NewUser(
        username=username,
        display_name=_cell(row, columns, "display_name"),
        password=password,
        town_code=_cell(row, columns, "town_code"),
        phone=_cell(row, columns, "phone") or None,
        birth_year=birth_year,
    )
    savepoint = db.session.begin_nested()
    try:
        # Staff enter rows for people who agreed on paper; the sheet stands for that.
        register_learner(data, accepted_privacy=True, actor=actor)
    except AccountError as error:
        savepoint.rollback()
        return ImportRow(row_number, username, False, str(error))
    savepoint.commit()
    return ImportRow(row_number, username, True, password="" if given_password else password)
