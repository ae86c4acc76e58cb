"""The dashboard's figures for one (period, scope), computed once and cached.

The cache key holds the period, the 镇街 in scope and the rollup version. While the
dashboard is in use (viewed within the hour), a periodic task recomputes this year's
district and 镇街 views before their entries expire, so they are rarely computed while
someone waits. The rollup
version is read before and after computing: when a refresh committed in between (its
rows and watermark change together), the figures are computed again so they never mix
two watermarks.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from lms.reports import figures, queries
from lms.reports.cache import cache_ttl, report_cache
from lms.reports.periods import Period, year_period
from lms.reports.rollup import read_state
from lms.timeutil import utcnow

VIEWED_KEY = "viewed"
WARM_FOR_SECONDS = 3600


@dataclass
class Dashboard:
    period: Period
    town_ids: set[int] | None
    breakdown: figures.Breakdown
    computed_at: datetime


def _cache_key(period: Period, town_ids: set[int] | None, version: int) -> str:
    scope = "all" if town_ids is None else ",".join(str(i) for i in sorted(town_ids))
    return f"v{version}:{period.key}:{scope}"


def _to_json(breakdown: figures.Breakdown, computed_at: datetime) -> dict:
    return {"breakdown": asdict(breakdown), "computed_at": computed_at.isoformat()}


def _from_json(value: dict) -> tuple[figures.Breakdown, datetime]:
    data = value["breakdown"]
    breakdown = figures.Breakdown(
        towns=[figures.Figures(**row) for row in data["towns"]],
        total=figures.Figures(**data["total"]),
        trend=[figures.MonthFigures(**row) for row in data["trend"]],
        top_courses=[figures.CourseFigures(**row) for row in data["top_courses"]],
    )
    return breakdown, datetime.fromisoformat(value["computed_at"])


def compute(period: Period, town_ids: set[int] | None, *, now: datetime | None = None):
    """The breakdown and the rollup version it was computed against (no cache)."""
    version = read_state().version
    for _ in range(3):
        breakdown = queries.breakdown(period, town_ids, now=now)
        after = read_state().version
        if after == version:
            break
        version = after
    return breakdown, version


def dashboard(
    period: Period, town_ids: set[int] | None, *, use_cache: bool = True, refresh: bool = False
) -> Dashboard:
    """The figures, from the cache when they are there (``refresh``: compute them anew and
    cache them; ``use_cache=False``: neither read nor write the cache)."""
    cache = report_cache()
    if use_cache and not refresh:
        key = _cache_key(period, town_ids, read_state().version)
        cached = cache.get(key)
        if cached is not None:
            breakdown, computed_at = _from_json(cached)
            return Dashboard(period, town_ids, breakdown, computed_at)
    computed_at = utcnow()
    breakdown, version = compute(period, town_ids, now=computed_at)
    if use_cache:
        cache.set(
            _cache_key(period, town_ids, version), _to_json(breakdown, computed_at), cache_ttl()
        )
    return Dashboard(period, town_ids, breakdown, computed_at)


def note_viewed() -> None:
    """Someone looked at the dashboard: keep its default views warm for an hour."""
    report_cache().set(VIEWED_KEY, True, WARM_FOR_SECONDS)


def warm(today: date) -> int:
    """Recompute this year's dashboard for the district and for each 镇街 (what people
    open first) while the dashboard is in use, so they find it cached. Returns how many
    were computed."""
    if report_cache().get(VIEWED_KEY) is None:
        return 0
    period = year_period(today.year)
    scopes = [None] + [{town.id} for town in queries.towns_in_scope(None)]
    for scope in scopes:
        dashboard(period, scope, refresh=True)
    return len(scopes)
