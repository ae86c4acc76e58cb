"""Places to learn (学习场所): learners browse; the admin and 镇街 staff keep the directory.

Browsing is open to everyone (the directory is public information). Sorting by distance
happens in the browser (js/places.js): the page fetches the places of its filter from
``places_json`` and sorts them by the position the browser gives; the position is never
sent here.
"""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms.accounts.permissions import role_required
from lms.accounts.services import list_towns
from lms.attendance import places, queries
from lms.attendance.forms import PlaceFilterForm, PlaceForm, PlaceImportForm
from lms.attendance.models import Place
from lms.attendance.permissions import (
    can_edit_place,
    can_keep_places,
    get_kept_place_or_404,
    place_town_ids,
)
from lms.attendance.services import AttendanceError
from lms.attendance.views import PER_PAGE, town_filter_choices
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.downloads import download
from lms.web.errors import act_then_redirect, flash_refusal
from lms.web.exports import XLSX_MIMETYPE

# The most places the distance sort takes at once (a district has a few hundred).
MOST_FOR_DISTANCE = 2000
UPCOMING_CLASSES = 10


def _filter_form() -> PlaceFilterForm:
    form = PlaceFilterForm(request.args)
    form.town.choices = town_filter_choices()
    form.kind.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(kind, str(label)) for kind, label in places.KIND_LABELS.items()
    ]
    if form.kind.data not in places.KIND_LABELS:
        form.kind.data = ""
    return form


def places_directory():
    form = _filter_form()
    page = places.list_places(
        town_id=form.town.data or None,
        kind=form.kind.data or None,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template(
        "attendance/places.html",
        form=form,
        page=page,
        kind_labels=places.KIND_LABELS,
        can_keep=can_keep_places(current_user),
    )


def places_json():
    """The places of a filter with their coordinates, for the browser's distance sort."""
    form = _filter_form()
    query = places.places_query(town_id=form.town.data or None, kind=form.kind.data or None)
    found = db.session.scalars(query.limit(MOST_FOR_DISTANCE))
    return jsonify(
        places=[
            {
                "id": place.id,
                "name": place.name,
                "kind": str(places.KIND_LABELS[place.kind]),
                "town": place.town.name,
                "address": place.address,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "url": url_for("attendance.place", place_id=place.id),
            }
            for place in found
        ]
    )


def place(place_id: int):
    place = db.get_or_404(Place, place_id)
    classes = None
    if place.school_id is not None:
        classes = queries.upcoming_sessions(
            now=utcnow(), school_id=place.school_id, page=1, per_page=UPCOMING_CLASSES
        )
    return render_template(
        "attendance/place.html",
        place=place,
        kind_label=places.KIND_LABELS[place.kind],
        classes=classes,
        can_edit=can_edit_place(current_user, place),
    )


def _place_form(place=None) -> PlaceForm:
    form = PlaceForm(obj=place)
    towns = place_town_ids(current_user)
    form.town_id.choices = [
        SelectChoice(t.id, t.name) for t in list_towns() if towns is None or t.id in towns
    ]
    kinds = places.ADDED_KINDS if place is None or place.school_id is None else places.PLACE_KINDS
    form.kind.choices = [SelectChoice(kind, str(places.KIND_LABELS[kind])) for kind in kinds]
    return form


def _save(place, form: PlaceForm):
    data = places.PlaceData(
        kind=form.kind.data,
        name=form.name.data,
        town_id=form.town_id.data,
        address=form.address.data or "",
        opening_hours=form.opening_hours.data or "",
        phone=form.phone.data or "",
        description=form.description.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
    )
    return places.save_place(place, data, town_ids=place_town_ids(current_user))


def _form_page(place):
    form = _place_form(place)
    if place is not None and place.school_id is not None and form.is_submitted():
        # A school's kind, name and 镇街 are the school's: the form shows them, fixed.
        form.kind.data, form.name.data, form.town_id.data = place.kind, place.name, place.town_id
    if form.validate_on_submit():
        try:
            saved = _save(place, form)
        except AttendanceError as error:
            flash_refusal(error)
        else:
            flash(_("The place is saved."), "ok")
            return redirect(url_for("attendance.place", place_id=saved.id))
    return render_template("attendance/place_form.html", form=form, place=place)


@role_required("admin", "staff")
def new_place():
    if not can_keep_places(current_user):
        abort(403)
    return _form_page(None)


@role_required("admin", "staff")
def edit_place(place_id: int):
    return _form_page(get_kept_place_or_404(place_id))


@role_required("admin", "staff")
def delete_place(place_id: int):
    place = get_kept_place_or_404(place_id)
    return act_then_redirect(
        lambda: places.delete_place(place),
        done=_("The place is removed from the directory."),
        to=url_for("attendance.places"),
    )


@role_required("admin", "staff")
def import_places():
    form = PlaceImportForm()
    refused = None
    if not can_keep_places(current_user):
        abort(403)
    if form.validate_on_submit():
        try:
            count = places.import_places(
                form.sheet.data.stream,
                town_ids=place_town_ids(current_user),
                max_rows=current_app.config["MAX_IMPORT_ROWS"],
            )
        except places.PlaceImportError as error:
            refused = error.rows
            flash_refusal(error)
        else:
            flash(_("%(n)d places imported.", n=count), "ok")
            return redirect(url_for("attendance.places"))
    return render_template("attendance/places_import.html", form=form, refused=refused)


@role_required("admin", "staff")
def export_places():
    if not can_keep_places(current_user):
        abort(403)
    data = places.export_places(place_town_ids(current_user))
    return download(data, _("places-to-learn") + ".xlsx", XLSX_MIMETYPE)
