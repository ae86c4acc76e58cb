"""The dashboard's tables: what the page shows beside each chart and what the exports
write, cell for cell. Values are rounded here once (rates in percent with one decimal,
hours with one, per-capita hours with three) so page, CSV and XLSX agree."""

from dataclasses import dataclass

from flask_babel import gettext as _

from lms.reports.figures import COVERAGE_TARGET, Breakdown, Figures

TABLE_NAMES = ("indicators", "coverage", "towns", "trend", "courses")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "number"  # text, number, percent


@dataclass
class ReportTable:
    name: str
    title: str
    columns: list[Column]
    rows: list[list]


def percent(ratio) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


def hours(value: float) -> float:
    return round(value, 1)


def per_capita(value) -> float | None:
    return None if value is None else round(value, 3)


def town_label(figures: Figures) -> str:
    return figures.name if figures.town_id is not None else _("No town or street")


def indicators_table(breakdown: Breakdown) -> ReportTable:
    f = breakdown.total
    rows = [
        [
            _("Registered learners"),
            f.registered,
            "",
            _("%(n)d new in the period", n=f.new_registrations),
        ],
        [
            _("Share of the resident population"),
            percent(f.registered_share),
            "%",
            f"{f.registered} / {f.population}",
        ],
        [
            _("Active learners"),
            f.active,
            "",
            _("at least 60 s of credited study or one attendance"),
        ],
        [
            _("Participation rate"),
            percent(f.participation_rate),
            "%",
            f"{f.active} / {f.population}",
        ],
        [
            _("Study hours per capita"),
            per_capita(f.hours_per_capita),
            _("hours"),
            f"{hours(f.study_hours)} / {f.population}",
        ],
        [
            _("Online study hours per capita"),
            per_capita(f.online_hours_per_capita),
            _("hours"),
            f"{hours(f.online_hours)} / {f.population}",
        ],
        [
            _("Offline study hours per capita"),
            per_capita(f.offline_hours_per_capita),
            _("hours"),
            f"{hours(f.offline_hours)} / {f.population}",
        ],
        [
            _("Elderly share of active learners (60+)"),
            percent(f.elderly_share),
            "%",
            f"{f.elderly_active} / {f.active}",
        ],
        [
            _("Course completion rate"),
            percent(f.completion_rate),
            "%",
            f"{f.enrolments_completed} / {f.enrolments_open}",
        ],
        [
            _("Offline attendance rate"),
            percent(f.attendance_rate),
            "%",
            f"{f.signups_attended} / {f.signups}",
        ],
        [_("Credits issued"), round(f.credits, 1), _("credits"), ""],
        [_("Recognitions approved"), f.recognitions_approved, "", ""],
        [
            _("Community-school coverage"),
            percent(f.coverage),
            "%",
            _(
                "%(covered)d / %(total)d, target %(target)d%%",
                covered=f.towns_covered,
                total=f.towns_total,
                target=round(COVERAGE_TARGET * 100),
            ),
        ],
    ]
    columns = [
        Column(_("Indicator"), "text"),
        Column(_("Value")),
        Column(_("Unit"), "text"),
        Column(_("Based on"), "text"),
    ]
    return ReportTable("indicators", _("Indicators"), columns, rows)


def coverage_table(breakdown: Breakdown) -> ReportTable:
    rows = [
        [figures.name, figures.sessions_held, _("yes") if figures.sessions_held else _("no")]
        for figures in breakdown.towns
        if figures.town_id is not None
    ]
    columns = [
        Column(_("Town or street"), "text"),
        Column(_("Sessions held")),
        Column(_("Covered"), "text"),
    ]
    return ReportTable("coverage", _("Community-school coverage"), columns, rows)


def towns_table(breakdown: Breakdown) -> ReportTable:
    rows = [
        [
            town_label(f),
            f.population,
            f.registered,
            percent(f.registered_share),
            f.active,
            percent(f.participation_rate),
            per_capita(f.hours_per_capita),
            percent(f.elderly_share),
            percent(f.completion_rate),
            percent(f.attendance_rate),
            round(f.credits, 1),
        ]
        for f in breakdown.towns
    ]
    columns = [
        Column(_("Town or street"), "text"),
        Column(_("Population")),
        Column(_("Registered learners")),
        Column(_("Registered share (%)"), "percent"),
        Column(_("Active learners")),
        Column(_("Participation rate (%)"), "percent"),
        Column(_("Study hours per capita")),
        Column(_("Elderly share (%)"), "percent"),
        Column(_("Completion rate (%)"), "percent"),
        Column(_("Attendance rate (%)"), "percent"),
        Column(_("Credits issued")),
    ]
    return ReportTable("towns", _("Comparison across towns and streets"), columns, rows)


def trend_table(breakdown: Breakdown) -> ReportTable:
    rows = [
        [month.key, month.active, hours(month.online_hours), hours(month.offline_hours)]
        for month in breakdown.trend
    ]
    columns = [
        Column(_("Month"), "text"),
        Column(_("Active learners")),
        Column(_("Online study hours")),
        Column(_("Offline study hours")),
    ]
    return ReportTable("trend", _("Monthly trend"), columns, rows)


def courses_table(breakdown: Breakdown) -> ReportTable:
    rows = [
        [course.title, course.new_enrolments, course.completions]
        for course in breakdown.top_courses
    ]
    columns = [Column(_("Course"), "text"), Column(_("New enrolments")), Column(_("Completions"))]
    return ReportTable("courses", _("Top courses"), columns, rows)


BUILDERS = {
    "indicators": indicators_table,
    "coverage": coverage_table,
    "towns": towns_table,
    "trend": trend_table,
    "courses": courses_table,
}


def build_table(name: str, breakdown: Breakdown) -> ReportTable:
    return BUILDERS[name](breakdown)


def headline(breakdown: Breakdown) -> list[tuple]:
    """The figures in large type above the tables: (key, label, value, unit)."""
    f = breakdown.total
    return [
        ("registered", _("Registered learners"), f.registered, ""),
        ("active", _("Active learners"), f.active, ""),
        ("participation", _("Participation rate"), percent(f.participation_rate), "%"),
        ("hours", _("Study hours per capita"), per_capita(f.hours_per_capita), ""),
        ("coverage", _("Community-school coverage"), percent(f.coverage), "%"),
    ]


def chart_data(breakdown: Breakdown) -> dict:
    """What reports.js draws; the labels come translated from here."""
    total = breakdown.total
    named = [f for f in breakdown.towns if f.town_id is not None]
    return {
        "coverage": {
            "value": percent(total.coverage) or 0,
            "target": round(COVERAGE_TARGET * 100),
            "label": _("Coverage"),
            "targetLabel": _("Target"),
        },
        "trend": {
            "months": [month.key for month in breakdown.trend],
            "active": [month.active for month in breakdown.trend],
            "online": [hours(month.online_hours) for month in breakdown.trend],
            "offline": [hours(month.offline_hours) for month in breakdown.trend],
            "labels": [_("Active learners"), _("Online study hours"), _("Offline study hours")],
        },
        "towns": {
            "names": [f.name for f in named],
            "participation": [percent(f.participation_rate) for f in named],
            "registered": [percent(f.registered_share) for f in named],
            "labels": [_("Participation rate (%)"), _("Registered share (%)")],
        },
        "courses": {
            "titles": [course.title for course in breakdown.top_courses],
            "enrolments": [course.new_enrolments for course in breakdown.top_courses],
            "completions": [course.completions for course in breakdown.top_courses],
            "labels": [_("New enrolments"), _("Completions")],
        },
    }
