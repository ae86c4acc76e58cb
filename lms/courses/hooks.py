"""Where higher domains extend course pages without courses importing them.

- Player extensions: study adds its heartbeat script to the lesson player.
- Catalogue orders: study adds "most studied", community "best rated".
- Card facts: what a course card shows from higher domains; community adds the average
  rating (``rating``, ``ratings``).
- Course links: buttons to higher domains' pages on a course page ("course_page"), a
  teacher's lesson page ("teach_lesson") and the teacher's course list ("teach_list").
- Lesson sections: HTML a higher domain renders below the lesson player (community's
  questions on the lesson).
- Course summaries: figures a higher domain shows on the teacher's course page
  (community's unanswered questions and time to first answer).
- Course tables: per-course tables a higher domain adds to the district dashboard
  (community's answer rate per course), which reports shows without importing it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select


@dataclass(frozen=True)
class PlayerExtension:
    name: str
    script: str  # static file path, e.g. "js/study.js"
    config: Callable  # (lesson, user) -> dict for the script, or None to stay out


@dataclass(frozen=True)
class CatalogueOrder:
    name: str
    label: Callable[[], str]  # a lazy translated label
    apply: Callable[[Select], Select]


@dataclass(frozen=True)
class CourseLink:
    place: str  # one of COURSE_LINK_PLACES
    name: str  # unique within its place, e.g. "community.ratings"
    label: str  # a lazy translated label
    url: Callable[..., str]  # (**subject) -> the link's address
    visible: Callable[..., bool]  # (user, **subject) -> whether this user sees the link
    order: int  # lower first


# Where links go; each passes its subject by name: course=, lesson=, nothing.
COURSE_LINK_PLACES = ("course_page", "teach_lesson", "teach_list")


@dataclass(frozen=True)
class CardFacts:
    name: str
    facts: Callable[[list[int]], dict[int, dict]]  # course ids -> {course id: {fact: value}}


@dataclass(frozen=True)
class LessonSection:
    name: str
    render: Callable  # (lesson, user) -> Markup to show below the player, or None
    order: int = 50


@dataclass(frozen=True)
class CourseSummary:
    name: str
    figures: Callable  # (course, user) -> [{"label", "value", "url" (or None)}]


@dataclass(frozen=True)
class CourseTable:
    name: str
    title: Callable[[], str]  # a lazy translated title
    headers: Callable[[], list[str]]  # translated column headers
    rows: Callable  # (start: date, end: date inclusive) -> rows of plain values


_player_extensions: dict[str, PlayerExtension] = {}
_lesson_sections: dict[str, LessonSection] = {}
_course_summaries: dict[str, CourseSummary] = {}
_course_tables: dict[str, CourseTable] = {}
_card_facts: dict[str, CardFacts] = {}
_catalogue_orders: dict[str, CatalogueOrder] = {}
_course_links: dict[tuple[str, str], CourseLink] = {}


def register_player_extension(extension: PlayerExtension) -> None:
    _player_extensions[extension.name] = extension


def player_extensions(lesson, user) -> list[dict]:
    rendered = []
    for extension in _player_extensions.values():
        config = extension.config(lesson, user)
        if config is not None:
            rendered.append({"name": extension.name, "script": extension.script, "config": config})
    return rendered


def register_catalogue_order(order: CatalogueOrder) -> None:
    _catalogue_orders[order.name] = order


def catalogue_orders() -> dict[str, CatalogueOrder]:
    return dict(_catalogue_orders)


def register_card_facts(facts: CardFacts) -> None:
    _card_facts[facts.name] = facts


def registered_card_facts(course_ids: list[int]) -> dict[int, dict]:
    """Every registered source's facts about these courses, merged per course; one
    query per source, however many courses."""
    merged: dict[int, dict] = {course_id: {} for course_id in course_ids}
    if course_ids:
        for source in _card_facts.values():
            for course_id, facts in source.facts(course_ids).items():
                merged.setdefault(course_id, {}).update(facts)
    return merged


def _always(user, **subject) -> bool:
    return True


def register_course_link(
    place: str,
    name: str,
    label,
    url: Callable[..., str],
    *,
    visible: Callable[..., bool] = _always,
    order: int = 50,
) -> None:
    """Add a button to ``place``; ``url`` and ``visible`` take the place's subject by name."""
    if place not in COURSE_LINK_PLACES:
        raise ValueError(f"unknown place for a course link: {place}")
    _course_links[place, name] = CourseLink(place, name, label, url, visible, order)


def course_links(place: str, user, **subject) -> list[dict]:
    """The links of ``place`` this user sees, in order, as ``{"label", "url"}``."""
    links = sorted(
        (link for link in _course_links.values() if link.place == place),
        key=lambda link: (link.order, link.name),
    )
    return [
        {"label": str(link.label), "url": link.url(**subject)}
        for link in links
        if link.visible(user, **subject)
    ]


def register_lesson_section(section: LessonSection) -> None:
    _lesson_sections[section.name] = section


def lesson_sections(lesson, user) -> list:
    """The sections below the lesson player this user sees, in order (Markup)."""
    rendered = []
    for section in sorted(_lesson_sections.values(), key=lambda s: (s.order, s.name)):
        markup = section.render(lesson, user)
        if markup is not None:
            rendered.append(markup)
    return rendered


def register_course_summary(summary: CourseSummary) -> None:
    _course_summaries[summary.name] = summary


def course_summaries(course, user) -> list[dict]:
    """Every registered figure about this course for its teacher's page."""
    return [
        item for summary in _course_summaries.values() for item in summary.figures(course, user)
    ]


def register_course_table(table: CourseTable) -> None:
    _course_tables[table.name] = table


def course_tables(start, end) -> list[dict]:
    """Every registered per-course table for a period, as {"name", "title", "headers", "rows"}."""
    return [
        {
            "name": table.name,
            "title": str(table.title()),
            "headers": [str(header) for header in table.headers()],
            "rows": table.rows(start, end),
        }
        for table in _course_tables.values()
    ]
