"""What the indicator queries return: raw counts and sums, with the rates derived from
them (None where the denominator is 0)."""

from dataclasses import dataclass, field

COVERAGE_TARGET = 0.9


def _ratio(part, whole):
    return part / whole if whole else None


@dataclass
class Figures:
    """The indicators of one 镇街 (or of the district) for one period."""

    town_id: int | None
    name: str
    population: int = 0
    registered: int = 0
    new_registrations: int = 0
    active: int = 0
    elderly_active: int = 0
    online_seconds: float = 0.0
    offline_hours: float = 0.0
    credits_milli: int = 0
    recognitions_approved: int = 0
    enrolments_open: int = 0
    enrolments_completed: int = 0
    signups: int = 0
    signups_attended: int = 0
    sessions_held: int = 0
    towns_total: int = 0
    towns_covered: int = 0

    @property
    def registered_share(self):
        return _ratio(self.registered, self.population)

    @property
    def participation_rate(self):
        return _ratio(self.active, self.population)

    @property
    def online_hours(self) -> float:
        return self.online_seconds / 3600

    @property
    def study_hours(self) -> float:
        return self.online_hours + self.offline_hours

    @property
    def hours_per_capita(self):
        return _ratio(self.study_hours, self.population)

    @property
    def online_hours_per_capita(self):
        return _ratio(self.online_hours, self.population)

    @property
    def offline_hours_per_capita(self):
        return _ratio(self.offline_hours, self.population)

    @property
    def elderly_share(self):
        return _ratio(self.elderly_active, self.active)

    @property
    def completion_rate(self):
        return _ratio(self.enrolments_completed, self.enrolments_open)

    @property
    def attendance_rate(self):
        return _ratio(self.signups_attended, self.signups)

    @property
    def credits(self) -> float:
        return self.credits_milli / 1000

    @property
    def coverage(self):
        return _ratio(self.towns_covered, self.towns_total)

    def add(self, other: "Figures") -> None:
        for name in _ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_ADDITIVE = [name for name in Figures.__dataclass_fields__ if name not in ("town_id", "name")]


@dataclass
class MonthFigures:
    key: str  # YYYY-MM
    active: int = 0
    online_seconds: float = 0.0
    offline_hours: float = 0.0

    @property
    def online_hours(self) -> float:
        return self.online_seconds / 3600


@dataclass
class CourseFigures:
    course_id: int
    title: str
    new_enrolments: int = 0
    completions: int = 0


@dataclass
class Breakdown:
    """Everything the dashboard shows: per 镇街, their total, the trend, top courses."""

    towns: list[Figures]
    total: Figures
    trend: list[MonthFigures] = field(default_factory=list)
    top_courses: list[CourseFigures] = field(default_factory=list)
