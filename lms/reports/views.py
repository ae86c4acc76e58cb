"""The dashboard and its tables as CSV or XLSX. The URL rules are in ``blueprint.py``."""

import re

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.courses.hooks import course_tables
from lms.pagination import paginate_list
from lms.reports import exports
from lms.reports.cache import cache_ttl
from lms.reports.dashboard import dashboard as build_dashboard
from lms.reports.dashboard import note_viewed
from lms.reports.exam_stats import EXAM_TABLES, exam_table
from lms.reports.forms import PeriodForm
from lms.reports.periods import (
    Period,
    PeriodError,
    parse_period,
    period_value,
    year_period,
)
from lms.reports.permissions import report_scope_or_abort
from lms.reports.tables import TABLE_NAMES, build_table, chart_data, headline
from lms.timeutil import local_date, utcnow
from lms.web.downloads import download
from lms.web.exports import CSV_MIMETYPE, XLSX_MIMETYPE

TOWNS_PER_PAGE = 20
PAGED_TABLES = ("coverage", "towns")


def _period(form: PeriodForm, *, strict: bool) -> Period:
    today = local_date(utcnow())
    try:
        if form.start.data and form.end.data:
            return Period(form.start.data, form.end.data)
        return parse_period(form.period.data, today=today)
    except PeriodError:
        if strict:
            abort(400)
        flash(_("That period cannot be shown; here is this year instead."), "error")
        return year_period(today.year)


def _filters():
    form = PeriodForm(request.args)
    if not form.validate():
        abort(400)
    return form, report_scope_or_abort(current_user, form.town.data)


def period_choices(today) -> list[tuple[str, str]]:
    choices = [(str(year), _("Year %(year)d", year=year)) for year in (today.year, today.year - 1)]
    for year in (today.year, today.year - 1):
        choices += [
            (f"{year}-Q{q}", _("%(year)d, quarter %(q)d", year=year, q=q)) for q in range(1, 5)
        ]
    year, month = today.year, today.month
    for _step in range(12):
        choices.append((f"{year}-{month:02d}", f"{year}-{month:02d}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return choices


@role_required("admin", "staff")
def dashboard():
    form, scope = _filters()
    period = _period(form, strict=False)
    result = build_dashboard(period, scope.town_ids)
    note_viewed()
    tables = {name: build_table(name, result.breakdown) for name in TABLE_NAMES}
    tables.update({name: exam_table(name, period, scope.town_ids) for name in EXAM_TABLES})
    page = request.args.get("page", 1, type=int)
    pages = {name: paginate_list(tables[name].rows, page, TOWNS_PER_PAGE) for name in PAGED_TABLES}
    return render_template(
        "reports/dashboard.html",
        form=form,
        scope=scope,
        period=period,
        period_arg=period_value(period),
        period_choices=period_choices(local_date(utcnow())),
        result=result,
        tables=tables,
        pages=pages,
        charts=chart_data(result.breakdown),
        headline=headline(result.breakdown),
        cache_minutes=max(1, cache_ttl() // 60),
        course_tables=course_tables(period.start, period.end),
    )


@role_required("admin", "staff")
def export(name: str, fmt: str):
    form, scope = _filters()
    period = _period(form, strict=True)
    if name in EXAM_TABLES:
        table = exam_table(name, period, scope.town_ids)
    else:
        table = build_table(name, build_dashboard(period, scope.town_ids).breakdown)
    if fmt == "csv":
        body, mimetype = exports.as_csv(table), CSV_MIMETYPE
    else:
        body, mimetype = exports.as_xlsx(table), XLSX_MIMETYPE
    where = f"town-{scope.selected.code}" if scope.selected else "all"
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", f"report-{name}-{period_value(period)}-{where}")
    return download(body, f"{filename}.{fmt}", mimetype)  # aggregates: not personal
