"""Places to learn (学习场所): the directory's rules, its XLSX import and export.

The admin keeps every place; staff keep the places of their own 镇街 (``town_ids``
below is what the caller may touch, None for everywhere). A community school's place is
made and renamed with its school (``services.sync_school_place``): the directory adds opening
hours, a phone, a description and coordinates, and never deletes it.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import Town
from lms.attendance.models import PLACE_KINDS, Place
from lms.attendance.services import AttendanceError
from lms.extensions import db
from lms.web.errors import DomainError
from lms.web.exports import read_workbook, xlsx_bytes
from lms.web.urls import LARGEST_ID, is_number

KIND_LABELS = {
    "community_school": _l("Community school"),
    "library": _l("Library"),
    "cultural_centre": _l("Cultural centre"),
    "science_museum": _l("Science museum"),
    "memorial_hall": _l("Memorial hall"),
    "other": _l("Other venue"),
}
# Kinds the directory adds by hand; a community school's place comes with its school.
ADDED_KINDS = tuple(kind for kind in PLACE_KINDS if kind != "community_school")


@dataclass
class PlaceData:
    kind: str
    name: str
    town_id: int | None
    address: str = ""
    opening_hours: str = ""
    phone: str = ""
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None


LIMITS = {"name": 80, "address": 200, "opening_hours": 200, "phone": 40, "description": 500}


def _check(data: PlaceData, place: Place | None, town_ids: set[int] | None) -> None:
    school_place = place is not None and place.school_id is not None
    if not school_place:
        if data.kind not in ADDED_KINDS:
            raise AttendanceError(_("Please choose the kind of place."))
        if not (data.name or "").strip():
            raise AttendanceError(_("Please give the place a name."))
        if data.town_id is None or db.session.get(Town, data.town_id) is None:
            raise AttendanceError(_("Please choose a town or street."))
        if town_ids is not None and data.town_id not in town_ids:
            raise AttendanceError(_("You keep the places of your own town or street only."))
    for name, limit in LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            raise AttendanceError(_("A field is too long (at most %(n)d characters).", n=limit))
    if (data.latitude is None) != (data.longitude is None):
        raise AttendanceError(_("Give both latitude and longitude, or neither."))
    if data.latitude is not None and not (
        -90 <= data.latitude <= 90 and -180 <= data.longitude <= 180
    ):
        raise AttendanceError(_("The coordinates are not on Earth."))


def save_place(place: Place | None, data: PlaceData, *, town_ids: set[int] | None) -> Place:
    """Create (place None) or update a place. A school's place keeps the school's kind,
    name, 镇街 and address; the rest is the directory's."""
    _check(data, place, town_ids)
    if place is None:
        place = Place()
        db.session.add(place)
    if place.school_id is None:
        place.kind, place.name, place.town_id = data.kind, data.name.strip(), data.town_id
        place.address = (data.address or "").strip()
    place.opening_hours = (data.opening_hours or "").strip()
    place.phone = (data.phone or "").strip()
    place.description = (data.description or "").strip()
    place.latitude, place.longitude = data.latitude, data.longitude
    db.session.flush()
    return place


def delete_place(place: Place) -> None:
    if place.school_id is not None:
        raise AttendanceError(_("A community school stays in the directory while it exists."))
    db.session.delete(place)
    db.session.flush()


def places_query(*, town_id: int | None = None, kind: str | None = None, town_ids=None):
    query = select(Place).order_by(Place.town_id, Place.kind, Place.name, Place.id)
    if town_id:
        query = query.where(Place.town_id == town_id)
    if kind in PLACE_KINDS:
        query = query.where(Place.kind == kind)
    if town_ids is not None:
        query = query.where(Place.town_id.in_(town_ids))
    return query


def list_places(*, town_id=None, kind=None, page=1, per_page=20):
    query = places_query(town_id=town_id, kind=kind)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# XLSX import and export ------------------------------------------------------------------

# (field, header): the export writes these headers; the import reads them (or English).
COLUMNS = (
    ("id", "编号", "id"),
    ("kind", "类型", "kind"),
    ("name", "名称", "name"),
    ("town_code", "镇街代码", "town code"),
    ("address", "地址", "address"),
    ("opening_hours", "开放时间", "opening hours"),
    ("phone", "电话", "phone"),
    ("description", "简介", "description"),
    ("latitude", "纬度", "latitude"),
    ("longitude", "经度", "longitude"),
)
REQUIRED_COLUMNS = ("kind", "name", "town_code")


@dataclass
class PlaceRow:
    row_number: int
    name: str
    reason: str = ""


class PlaceImportError(DomainError):
    """The sheet is refused as a whole; ``rows`` names each refused row and why."""

    def __init__(self, message: str, rows: list[PlaceRow] | None = None):
        super().__init__(message)
        self.rows = rows or []


def export_places(town_ids: set[int] | None) -> bytes:
    towns = {town.id: town.code for town in db.session.scalars(select(Town))}
    rows = [
        [
            place.id,
            place.kind,
            place.name,
            towns.get(place.town_id, ""),
            place.address,
            place.opening_hours,
            place.phone,
            place.description,
            place.latitude if place.latitude is not None else "",
            place.longitude if place.longitude is not None else "",
        ]
        for place in db.session.scalars(places_query(town_ids=town_ids))
    ]
    header = [column[1] for column in COLUMNS]
    widths = (8, 16, 24, 10, 30, 24, 14, 40, 12, 12)
    return xlsx_bytes(_("Places to learn"), header, rows, widths=widths, fallback="places")


def _header_map(cells) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(cells):
        label = str(cell or "").strip().lower()
        for field, *names in COLUMNS:
            if label in names:
                found[field] = index
    missing = [field for field in REQUIRED_COLUMNS if field not in found]
    if missing:
        wanted = ", ".join(next(c[1] for c in COLUMNS if c[0] == field) for field in missing)
        raise PlaceImportError(_("The sheet lacks the columns: %(columns)s", columns=wanted))
    return found


def _text(row, columns, field) -> str:
    index = columns.get(field)
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer() and field not in ("latitude", "longitude"):
        value = int(value)
    return str(value).strip()


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError as error:
        raise AttendanceError(_("%(value)s is not a number.", value=text)) from error


def _row_place(row, columns, town_ids, towns) -> tuple[Place | None, PlaceData]:
    place = None
    if place_id := _text(row, columns, "id"):
        known = is_number(place_id) and int(place_id) <= LARGEST_ID
        place = db.session.get(Place, int(place_id)) if known else None
        if place is None or (town_ids is not None and place.town_id not in town_ids):
            raise AttendanceError(_("There is no place %(id)s of yours.", id=place_id))
    code = _text(row, columns, "town_code")
    data = PlaceData(
        kind=_text(row, columns, "kind"),
        name=_text(row, columns, "name"),
        town_id=towns.get(code),
        address=_text(row, columns, "address"),
        opening_hours=_text(row, columns, "opening_hours"),
        phone=_text(row, columns, "phone"),
        description=_text(row, columns, "description"),
        latitude=_number(_text(row, columns, "latitude")),
        longitude=_number(_text(row, columns, "longitude")),
    )
    if place is None and code and data.town_id is None:
        raise AttendanceError(_("There is no town or street with code %(code)s.", code=code))
    return place, data


def import_places(stream, *, town_ids: set[int] | None, max_rows: int) -> int:
    """Create or update (a row with an id) one place per row; all rows or none: any
    refused row refuses the sheet, with every refused row named. Returns the count."""
    try:
        workbook = read_workbook(stream)
    except Exception as error:
        raise PlaceImportError(_("This is not a readable XLSX file.")) from error
    rows = workbook.active.iter_rows(values_only=True)
    columns = _header_map(next(rows, ()))
    towns = {town.code: town.id for town in db.session.scalars(select(Town))}
    refused, saved = [], 0
    savepoint = db.session.begin_nested()
    for row_number, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue
        if saved + len(refused) >= max_rows:
            savepoint.rollback()
            raise PlaceImportError(_("At most %(n)d rows per import.", n=max_rows))
        name = _text(row, columns, "name")
        try:
            place, data = _row_place(row, columns, town_ids, towns)
            save_place(place, data, town_ids=town_ids)
        except AttendanceError as error:
            refused.append(PlaceRow(row_number, name, str(error)))
        else:
            saved += 1
    if refused:
        savepoint.rollback()
        raise PlaceImportError(_("Nothing was imported: fix these rows and try again."), refused)
    savepoint.commit()
    return saved
