"""A synthetic district (``flask lms seed-synthetic``): learners across the 镇街 and ages,
courses, study days, community schools, sessions, sign-ups, attendance, recognitions and
ledger entries, written as rows in bulk (not through the posting functions).

Synthetic learners are the users whose username starts with ``syn-``; they cannot log in
(their password hash is not a hash). The ledger entries are chained and hashed as
``lms.credits.ledger`` does, with a head per learner, so ``flask lms verify-ledger``
passes. The same seed, learner count, days and last day give the same rows.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, select

from lms.accounts.cli import KEQIAO_TOWNS
from lms.accounts.models import Town, User, UserRole
from lms.credits.ledger import current_rule
from lms.extensions import db
from lms.reports import rollup
from lms.synthetic.bulk import BulkWriter, names
from lms.synthetic.courses_and_schools import courses_and_teacher, schools_and_sessions
from lms.synthetic.learners import COLUMNS, LearnerSpec, LearnerStory, Rows, World
from lms.timeutil import local_date, utcnow

USERNAME_PREFIX = "syn-"
UNUSABLE_PASSWORD = "!synthetic"  # not "method$salt$hash": no password matches it
BATCH = 1000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "国强",
    "美华",
    "文",
    "玉兰",
    "志强",
    "海燕",
    "阿娣",
    "金花",
    "根土",
    "水根",
]
# (share of learners, chance of studying on a given day)
ENGAGEMENT = [(0.22, 0.0), (0.48, 0.035), (0.22, 0.13), (0.08, 0.38)]
USER_COLUMNS = names(
    "id username display_name birth_year town_id password_hash session_token disabled elder_mode "
    "privacy_version privacy_accepted_at created_at"
)


class SyntheticError(RuntimeError):
    pass


@dataclass(frozen=True)
class Options:
    learners: int
    days: int = 365
    seed: int = 1
    until: date | None = None  # the last day; yesterday by default
    heartbeat_days: int = 0  # also write raw heartbeats for the last N days


def non_synthetic_learners() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "learner"))
        .where(User.username.not_like(USERNAME_PREFIX + "%"))
    )


def synthetic_users() -> int:
    return db.session.scalar(select(func.count()).where(User.username.like(USERNAME_PREFIX + "%")))


def check_database(*, force: bool) -> None:
    if synthetic_users():
        raise SyntheticError(
            "this database already holds a synthetic district; seed an empty database"
        )
    real = non_synthetic_learners()
    if real and not force:
        raise SyntheticError(
            f"this database holds {real} learners who are not synthetic; "
            "use --force to add a synthetic district beside them"
        )


def _towns() -> list[Town]:
    existing = {town.code for town in db.session.scalars(select(Town))}
    for code, name, population in KEQIAO_TOWNS:
        if code not in existing:
            db.session.add(Town(code=code, name=name, population=population))
    db.session.flush()
    return list(db.session.scalars(select(Town).order_by(Town.code)))


def _learners(options, towns, first_day, zone, writer) -> tuple[list[LearnerSpec], dict]:
    """The learners' accounts (written now) and their specs; town → (created, id) lists."""
    rng = random.Random(f"{options.seed}:learners")
    weights = [max(town.population, 1) for town in towns]
    ids = writer.allocate(User.__table__, options.learners)
    role_ids = writer.allocate(UserRole.__table__, options.learners)
    notice = current_app.config.get("PRIVACY_NOTICE_VERSION")
    specs, users, roles, by_town = [], [], [], {town.id: [] for town in towns}
    window = (options.until - first_day).days + 1
    for number, (user_id, role_id) in enumerate(zip(ids, role_ids, strict=True), start=1):
        town = rng.choices(towns, weights=weights)[0]
        age = rng.choices(
            [rng.randint(60, 88), rng.randint(35, 59), rng.randint(18, 34)], weights=[38, 40, 22]
        )[0]
        registered_day = (
            first_day - timedelta(days=rng.randint(1, 730))
            if rng.random() < 0.55
            else first_day + timedelta(days=rng.randrange(window))
        )
        created_at = _moment(registered_day, rng.uniform(7 * 3600, 22 * 3600), zone)
        share, rate = rng.random(), 0.0
        for part, part_rate in ENGAGEMENT:
            if share < part:
                rate = part_rate
                break
            share -= part
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        users.append(
            (
                user_id,
                f"{USERNAME_PREFIX}{number:07d}",
                name,
                options.until.year - age,
                town.id,
                UNUSABLE_PASSWORD,
                f"{rng.getrandbits(128):032x}",
                False,
                age >= 65 and rng.random() < 0.4,
                notice,
                created_at if notice else None,
                created_at,
            )
        )
        roles.append((role_id, user_id, "learner"))
        specs.append(LearnerSpec(number, user_id, name, created_at, rate))
        if rate > 0 and rng.random() < (0.55 if age >= 60 else 0.25):
            by_town[town.id].append((created_at, user_id))
    writer.write(User.__table__, USER_COLUMNS, users)
    writer.write(UserRole.__table__, ["id", "user_id", "role"], roles)
    return specs, by_town


def _moment(day, seconds, zone):
    from lms.synthetic.learners import local_moment

    return local_moment(day, seconds, zone)


def seed(options: Options, *, progress: Callable[[int], None] | None = None) -> dict:
    """Write the district; returns the number of rows per table. The caller commits."""
    zone = ZoneInfo(current_app.config["LMS_TIMEZONE"])
    options = Options(
        options.learners,
        options.days,
        options.seed,
        options.until or local_date(utcnow()) - timedelta(days=1),
        options.heartbeat_days,
    )
    first_day = options.until - timedelta(days=options.days - 1)
    writer = BulkWriter()
    towns = _towns()
    rule = current_rule()
    courses = courses_and_teacher(random.Random(f"{options.seed}:courses"), options, first_day)
    specs, offline_by_town = _learners(options, towns, first_day, zone, writer)
    attendance_items = schools_and_sessions(
        random.Random(f"{options.seed}:sessions"),
        towns,
        offline_by_town,
        first_day,
        options.until,
        zone,
        writer,
    )
    world = World(
        seed=options.seed,
        zone=zone,
        first_day=first_day,
        last_day=options.until,
        heartbeat_from=(
            options.until - timedelta(days=options.heartbeat_days - 1)
            if options.heartbeat_days
            else None
        ),
        courses=courses,
        course_weights=[1 / (rank + 1) ** 0.8 for rank in range(len(courses))],
        rule_version=rule.version,
        online_rate=rule.credits_per_online_hour,
        offline_rate=rule.credits_per_offline_hour,
        daily_cap=rule.daily_cap,
    )
    tables = {table.name: table for table in db.metadata.sorted_tables}
    counters = {name: writer.counter(tables[name]) for name in COLUMNS if name != "ledger_heads"}
    for start in range(0, len(specs), BATCH):
        rows = Rows(counters)
        for learner in specs[start : start + BATCH]:
            LearnerStory(world, learner, rows, attendance_items.get(learner.id, ())).tell()
        for name in COLUMNS:  # dict order: parents before children
            writer.write(tables[name], COLUMNS[name], rows.tables[name])
        if progress:
            progress(len(specs[start : start + BATCH]))
    writer.finish()
    rollup.refresh(rebuild=True)
    return dict(writer.counts)
