"""What one synthetic learner did: study days, enrolments, lessons completed, course
completions and certificates, a recognition, the hash-chained ledger, raw heartbeats.

Everything comes from the learner's own random stream (seed and learner number), so a
learner's rows do not depend on the others or on how learners are batched. Rows are
tuples in the column order of ``COLUMNS`` (``lms/synthetic/columns.py``).
"""

import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from lms.credits.ledger import GENESIS, entry_hash, hashed_fields, milli, reason_digest
from lms.synthetic.columns import COLUMNS

NEW_PROGRESS_SHARE = 0.3  # of a day's study time, the part that covers new ground
BEAT_SECONDS = 10
BEAT = timedelta(seconds=BEAT_SECONDS)
RECOGNITIONS = [
    ("老年大学结业", "柯桥区老年大学"),
    ("社区志愿服务培训", "柯桥区志愿者协会"),
    ("急救员培训", "绍兴市红十字会"),
    ("茶艺师（初级）", "绍兴市职业技能鉴定中心"),
]


@dataclass(frozen=True)
class CourseSpec:
    id: int
    title: str
    lesson_ids: list[int]
    durations: list[float]


@dataclass(frozen=True)
class LearnerSpec:
    number: int
    id: int
    display_name: str
    created_at: datetime
    study_rate: float  # chance of studying on a given day


@dataclass(frozen=True)
class World:
    seed: int
    zone: ZoneInfo
    first_day: date
    last_day: date
    heartbeat_from: date | None
    courses: list[CourseSpec]
    course_weights: list[float]
    rule_version: int
    online_rate: float
    offline_rate: float
    daily_cap: float


@dataclass
class Rows:
    """Rows waiting to be written, by table, with their ids already given."""

    ids: dict[str, Iterator[int]]  # table name -> its fresh ids
    tables: dict[str, list] = field(default_factory=lambda: {name: [] for name in COLUMNS})

    def add(self, table: str, row) -> None:
        self.tables[table].append(row)

    def new_id(self, table: str) -> int:
        return next(self.ids[table])


def local_moment(day: date, seconds: float, zone: ZoneInfo) -> datetime:
    return (datetime.combine(day, time.min, zone) + timedelta(seconds=seconds)).astimezone(UTC)


def _study_days(rng: random.Random, first: date, last: date, rate: float) -> list[date]:
    days, day = [], first - timedelta(days=1)
    if rate <= 0 or first > last:
        return days
    while True:
        gap = 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - rate))
        day += timedelta(days=gap)
        if day > last:
            return days
        days.append(day)


class LearnerStory:
    """Generates one learner's rows; ``ledger_items`` may be given attendance postings."""

    def __init__(self, world: World, learner: LearnerSpec, rows: Rows, attendance_items):
        self.world, self.learner, self.rows = world, learner, rows
        self.rng = random.Random(f"{world.seed}:learner:{learner.number}")
        # (created_at, source type, source id, hours, reason, credits or None: by the rule)
        self.ledger_items = list(attendance_items)
        self.daily_credits: dict[date, float] = {}

    def tell(self) -> None:
        world, learner, rng = self.world, self.learner, self.rng
        start = max(world.first_day, learner.created_at.astimezone(world.zone).date())
        study = []
        for day in _study_days(rng, start, world.last_day, learner.study_rate):
            seconds = float(round(min(10800.0, max(30.0, rng.lognormvariate(7.09, 0.8)))))
            begins = rng.uniform(8 * 3600, 22 * 3600 - seconds)
            study.append((day, seconds, begins))
            self.rows.add(
                "daily_study", [self.rows.new_id("daily_study"), learner.id, day, seconds]
            )
        self._courses(study)
        if study and rng.random() < 0.015:
            self._recognition()
        self._ledger()
        if world.heartbeat_from is not None:
            for day, seconds, begins in study:
                if day >= world.heartbeat_from:
                    self._heartbeats(day, seconds, begins)

    # Courses: enrol, cover lessons in order, complete, go on to the next -----------------

    def _courses(self, study) -> None:
        world, rng, zone = self.world, self.rng, self.world.zone
        if not study:
            return
        order = rng.choices(range(len(world.courses)), weights=world.course_weights, k=4)
        taken = list(dict.fromkeys(order))
        course_index, lesson_index, covered = 0, 0, 0.0
        enrolled = False
        for day, seconds, begins in study:
            if course_index >= len(taken):
                break
            course = world.courses[taken[course_index]]
            moment = local_moment(day, begins, zone)
            if not enrolled:
                left = moment + timedelta(days=rng.randint(3, 40)) if rng.random() < 0.08 else None
                enrolment_id = self.rows.new_id("enrolments")
                self.rows.add(
                    "enrolments", [enrolment_id, course.id, self.learner.id, moment, left]
                )
                enrolled, started = True, moment
                if left is not None:  # gave up: on to the next course another day
                    course_index, lesson_index, covered, enrolled = course_index + 1, 0, 0.0, False
                    continue
            covered += seconds * NEW_PROGRESS_SHARE
            finished_at = local_moment(day, begins + seconds, zone)
            while lesson_index < len(course.lesson_ids):
                duration = course.durations[lesson_index]
                if covered < duration:
                    break
                covered -= duration
                self._lesson_done(course, lesson_index, started, finished_at)
                lesson_index += 1
            if lesson_index == len(course.lesson_ids):
                self._course_done(course, finished_at)
                course_index, lesson_index, covered, enrolled = course_index + 1, 0, 0.0, False
            elif day == study[-1][0] and covered > 0:
                self._lesson_partial(course, lesson_index, started, finished_at, covered)
        if rng.random() < 0.3:  # looked at one more course and never began
            extra = world.courses[rng.randrange(len(world.courses))]
            if extra.id not in {world.courses[i].id for i in taken}:
                day, _seconds, begins = study[rng.randrange(len(study))]
                moment = local_moment(day, begins, zone)
                enrolment_id = self.rows.new_id("enrolments")
                self.rows.add("enrolments", [enrolment_id, extra.id, self.learner.id, moment, None])

    def _lesson_done(self, course, index, started, finished_at) -> None:
        lesson_id, duration = course.lesson_ids[index], course.durations[index]
        self.rows.add(
            "lesson_progress",
            [
                self.rows.new_id("lesson_progress"),
                self.learner.id,
                lesson_id,
                [[0.0, duration]],
                duration,
                1.0,
                duration,
                0.0,
                started,
                finished_at,
                finished_at,
            ],
        )
        self.ledger_items.append((finished_at, "lesson", str(lesson_id), duration / 3600, "", None))

    def _lesson_partial(self, course, index, started, at, covered) -> None:
        lesson_id, duration = course.lesson_ids[index], course.durations[index]
        covered = min(covered, duration)
        self.rows.add(
            "lesson_progress",
            [
                self.rows.new_id("lesson_progress"),
                self.learner.id,
                lesson_id,
                [[0.0, covered]],
                covered,
                covered / duration,
                covered,
                covered,
                started,
                at,
                None,
            ],
        )

    def _course_done(self, course, at) -> None:
        completion_id = self.rows.new_id("course_completions")
        self.rows.add("course_completions", [completion_id, self.learner.id, course.id, at])
        code = f"{self.rng.getrandbits(96):024x}"
        hours = round(sum(course.durations) / 3600, 2)
        self.rows.add(
            "certificates",
            [
                self.rows.new_id("certificates"),
                code,
                self.learner.id,
                course.id,
                self.learner.display_name,
                course.title,
                hours,
                0.0,
                at,
            ],
        )

    # A recognition request (学分认定), decided or not ------------------------------------

    def _recognition(self) -> None:
        world, rng = self.world, self.rng
        span = (world.last_day - world.first_day).days
        day = world.first_day + timedelta(days=rng.randint(0, span))
        submitted = local_moment(day, rng.uniform(9 * 3600, 20 * 3600), world.zone)
        title, issuer = RECOGNITIONS[rng.randrange(len(RECOGNITIONS))]
        hours = float(rng.randint(4, 24))
        roll = rng.random()
        decided = submitted + timedelta(days=rng.randint(2, 10), hours=rng.randint(1, 6))
        if decided.astimezone(world.zone).date() > world.last_day or roll >= 0.85:
            state, credits, decided, reason = "submitted", None, None, None
        elif roll < 0.7:
            state, credits, reason = "approved", round(hours * 0.8, 2), None
        else:
            state, credits, reason = "rejected", None, "证明材料不清晰，请补充"
        recognition_id = self.rows.new_id("recognitions")
        row = [
            recognition_id,
            self.learner.id,
            title,
            issuer,
            day - timedelta(days=rng.randint(20, 200)),
            hours,
            "synthetic/evidence.pdf",
            "application/pdf",
            "结业证书.pdf",
            state,
            credits,
            reason,
            submitted,
            decided,
            None,
        ]
        self.rows.add("recognitions", row)
        if state == "approved":
            self.ledger_items.append(
                (decided, "recognition", str(recognition_id), hours, title, credits)
            )

    # The ledger: one chain per learner, hashed exactly as lms.credits.ledger does ---------

    def _ledger(self) -> None:
        world, rows = self.world, self.rows
        last_seq, last_hash = 0, GENESIS
        for created_at, source_type, source_id, hours, reason, fixed_credits in sorted(
            self.ledger_items, key=lambda item: (item[0], item[1], item[2])
        ):
            day = created_at.astimezone(world.zone).date()
            if fixed_credits is not None:  # a person decided it: not capped, no rule
                credits, rule_version = fixed_credits, None
            else:
                rate = world.online_rate if source_type == "lesson" else world.offline_rate
                wanted = round(hours * rate, 3)
                left = max(0.0, world.daily_cap - self.daily_credits.get(day, 0.0))
                credits, rule_version = round(min(wanted, left), 3), world.rule_version
                if credits < wanted:
                    reason = f"daily_cap: {wanted:g} credits cut to {credits:g}"
                self.daily_credits[day] = self.daily_credits.get(day, 0.0) + credits
            last_seq += 1
            entry = SimpleNamespace(
                learner_id=self.learner.id,
                seq=last_seq,
                source_type=source_type,
                source_id=source_id,
                revision=1,
                is_reversal=False,
                hours_milli=milli(hours),
                credits_milli=milli(credits),
                rule_version=rule_version,
                reason_digest="",
                created_at=created_at,
                actor_id=None,
            )
            text_id = None
            if reason:
                # Words beside the chain (lms.credits.ledger); a salt from the seed, not
                # from the learner's stream, so the rows after it stay as they were.
                text_id = rows.new_id("ledger_texts")
                salt = hashlib.sha256(f"{world.seed}:{self.learner.id}:{last_seq}".encode())
                salt = salt.hexdigest()[:32]
                rows.add("ledger_texts", [text_id, self.learner.id, reason, salt])
                entry.reason_digest = reason_digest(reason, salt)
            digest = entry_hash(hashed_fields(entry), last_hash)
            rows.add(
                "ledger_entries",
                [
                    rows.new_id("ledger_entries"),
                    entry.learner_id,
                    last_seq,
                    source_type,
                    source_id,
                    1,
                    False,
                    entry.hours_milli,
                    entry.credits_milli,
                    rule_version,
                    text_id,
                    entry.reason_digest,
                    created_at,
                    day,
                    None,
                    last_hash,
                    digest,
                ],
            )
            last_hash = digest
        if last_seq:
            rows.add("ledger_heads", [self.learner.id, last_seq, last_hash])

    # Raw heartbeats of the most recent days (for the benchmark's raw-row comparison) -------

    def _heartbeats(self, day: date, seconds: float, begins: float) -> None:
        world = self.world
        course = world.courses[self.rng.randrange(len(world.courses))]
        lesson_id, duration = course.lesson_ids[0], max(course.durations[0], BEAT_SECONDS)
        opened = local_moment(day, begins, world.zone)
        beats = math.ceil(seconds / BEAT_SECONDS)
        session_id = self.rows.new_id("play_sessions")
        session = [
            session_id,
            self.learner.id,
            lesson_id,
            opened,
            opened + timedelta(seconds=beats * BEAT_SECONDS),
            beats - 1,
            seconds,
            0.0,
        ]
        self.rows.add("play_sessions", session)
        position, left = 0.0, seconds
        ids, beats_out, step = self.rows.ids["heartbeats"], self.rows.tables["heartbeats"], BEAT
        for seq in range(beats):
            credited = min(float(BEAT_SECONDS), left)
            left -= credited
            start = position % duration
            position += credited
            beats_out.append(
                (next(ids), session_id, seq, opened + step * (seq + 1), start + credited,
                 [[start, start + credited]], 1.0, True, credited)
            )  # fmt: skip
