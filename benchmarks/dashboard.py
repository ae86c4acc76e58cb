"""Dashboard benchmark: the statistics queries on a synthetic district (not a test).

One run, in a PostgreSQL database of its own (dropped first if present, dropped at the
end unless --keep):

1. the schema is migrated and ``seed-synthetic`` writes N learners and D days of study
   (daily totals, ledger, sessions, attendance) plus raw heartbeats for the last H days;
2. the dashboard's queries (``lms.reports.queries.breakdown``: every indicator per 镇街,
   the monthly trend, the top courses; no cache) run for the district and for one 镇街
   over several periods; median and p95 of R runs are printed;
   The periods: the last 365 days (the range ending on --until, what the issue's aim
   is about), the year of --until and the month before it;
3. for the last H days the same figures are computed again from the raw heartbeats
   (summed per learner and local day in the query) instead of the daily totals and the
   rollup, the results are checked equal, and the ratio is printed; for the whole
   period, every period is computed from the raw rows alone (``breakdown(raw=True)``),
   checked equal, with the ratio;
4. each part of the breakdown is timed alone for the last 365 days and for the year,
   from the rollups and from the raw rows, checked equal, with the ratio (aim: >= 10x
   for every part);
5. the district page itself (GET /reports/) is timed through the test client, with an
   empty cache and with a cached result.

    .venv/bin/python benchmarks/dashboard.py [--learners 100000] [--days 365]
        [--heartbeat-days 7] [--runs 15] [--raw-runs 5] [--until YYYY-MM-DD]
        [--keep] [--reuse] [--json]

--keep leaves the seeded database; --reuse measures it again (seeding only when it is
not there, and then keeping it), after migrating it (and rebuilding the rollups when
the schema moved), so a change can be measured without the seed (≈3.5 min at 100k on a
quiet machine). Pass the same --learners, --days and --until as the seeding run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def admin_connect(options):
    import psycopg

    return psycopg.connect(
        host=options.pg_host,
        port=options.pg_port,
        user=options.pg_user,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(options) -> None:
    with admin_connect(options) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{options.database}"')


def database_exists(options) -> bool:
    with admin_connect(options) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (options.database,)
        ).fetchone()
    return found is not None


def migrate_and_rebuild(app) -> float:
    """Bring a kept database to the code's schema, and its rollups with it when the
    schema moved (what a change measures); the seconds it took."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from lms.extensions import db
    from lms.reports import rollup

    def revisions():
        return set(db.session.scalars(text("SELECT version_num FROM alembic_version")))

    started = time.perf_counter()
    with app.app_context():
        before = revisions()
        db.session.rollback()
        upgrade(revision="heads")
        if revisions() != before:
            rollup.refresh(rebuild=True)
        db.session.commit()
    return round(time.perf_counter() - started, 1)


def drop_database(options) -> None:
    with admin_connect(options) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')


def make_app(options):
    from lms import create_app

    url = f"postgresql://{options.pg_user}@{options.pg_host}:{options.pg_port}/{options.database}"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    instance = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    key_file = instance / "signing_key.pem"  # a database server means "scaled mode"
    key_file.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    environ = {
        "LMS_DATABASE_URL": url,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_SECRET_KEY": "bench-dashboard",
        "LMS_SIGNING_KEY_FILE": str(key_file),
        "LMS_EMBEDDED_WORKER": "0",
    }
    return create_app({"TESTING": True}, environ=environ)


def timed(function, runs: int) -> dict:
    function()  # warm the caches of PostgreSQL and of SQLAlchemy's statement compiler
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(p95, 1),
        "runs": runs,
    }


def raw_daily(zone: str, period):
    """Per learner and local day, the credited seconds of the raw heartbeats."""
    from sqlalchemy import Date, func, select

    from lms.study.models import Heartbeat, PlaySession

    start, end = period.utc_bounds(zone)
    day = func.date(func.timezone(zone, Heartbeat.received_at), type_=Date)
    return (
        select(
            PlaySession.learner_id.label("learner_id"),
            day.label("day"),
            func.sum(Heartbeat.credited_seconds).label("credited_seconds"),
        )
        .join(PlaySession, PlaySession.id == Heartbeat.play_session_id)
        .where(Heartbeat.received_at >= start, Heartbeat.received_at < end)
        .group_by(PlaySession.learner_id, day)
        .subquery("raw_daily")
    )


def summary(breakdown) -> tuple:
    total = breakdown.total
    return (
        total.active,
        total.elderly_active,
        round(total.online_seconds, 3),
        total.credits_milli,
        round(total.offline_hours, 3),
        total.registered,
        [(m.key, m.active, round(m.online_seconds, 3)) for m in breakdown.trend],
    )


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def figures(breakdown) -> dict:
    """Everything the dashboard shows, floats rounded (sums added in another order)."""
    from dataclasses import asdict

    return _rounded(asdict(breakdown))


def part_figures(value):
    """A part's result, floats rounded, without the 镇街 whose figures are all zero."""
    from dataclasses import asdict, is_dataclass

    if isinstance(value, dict):
        return {
            key: part_figures(item)
            for key, item in value.items()
            if any(_flat(asdict(item) if is_dataclass(item) else item))
        }
    if isinstance(value, list):
        return [_rounded(asdict(item) if is_dataclass(item) else item) for item in value]
    return _rounded(asdict(value) if is_dataclass(value) else value)


def _flat(value) -> list:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [x for item in value for x in _flat(item)]
    return [value]


def seed(app, options) -> dict:
    from lms.extensions import db
    from lms.synthetic import district

    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        done, step, started = [0], max(1, options.learners // 20), time.perf_counter()

        def progress(count):
            done[0] += count
            if done[0] % step < count or done[0] == options.learners:
                elapsed = time.perf_counter() - started
                print(f"  seeded {done[0]:>7} learners in {elapsed:6.0f} s", flush=True)

        counts = district.seed(
            district.Options(
                options.learners, options.days, options.seed, options.until, options.heartbeat_days
            ),
            progress=progress,
        )
        db.session.commit()
        seconds = time.perf_counter() - started
    import psycopg

    with psycopg.connect(
        host=options.pg_host,
        port=options.pg_port,
        user=options.pg_user,
        dbname=options.database,
        autocommit=True,
    ) as connection:
        connection.execute("VACUUM ANALYZE")
        # The seed's writes are flushed before anything is timed: a checkpoint still
        # writing them back would be measured with the first queries.
        connection.execute("CHECKPOINT")
    os.sync()
    return {"seconds": round(seconds, 1), "rows": counts}


LAST_365 = "last 365 days"


def aim_periods(options) -> dict:
    """The periods the aims are about: the last 365 days (a custom range ending on
    --until) and the year of --until."""
    from lms.reports.periods import Period, year_period

    until = options.until
    return {
        LAST_365: Period(until - timedelta(days=364), until),
        f"year {until.year}": year_period(until.year),
    }


def measure(app, options) -> dict:
    from lms.accounts.models import Town
    from lms.extensions import db
    from lms.reports import queries
    from lms.reports.periods import Period, month_period

    results = {}
    until = options.until
    last_month = (until.replace(day=1) - timedelta(days=1)).replace(day=1)
    periods = {
        **aim_periods(options),
        f"month {last_month:%Y-%m}": month_period(last_month.year, last_month.month),
    }
    with app.app_context():
        zone = app.config["LMS_TIMEZONE"]
        town = db.session.scalar(db.select(Town).where(Town.code == options.town))
        scopes = {"district": None, f"town {town.name}": {town.id}}
        for label, period in periods.items():
            for scope_label, scope in scopes.items():
                key = f"{label} · {scope_label}"
                results[key] = timed(
                    lambda p=period, s=scope: queries.breakdown(p, s), options.runs
                )
                print(f"  {key:<40} {results[key]}", flush=True)
        # The same figures from the raw rows alone (no rollup at all), checked equal.
        from lms.reports import rollup

        for label, period in periods.items():
            for scope_label, scope in scopes.items():
                key = f"{label} · {scope_label}"
                rolled = figures(queries.breakdown(period, scope))
                raw = figures(queries.breakdown(period, scope, raw=True))
                assert rolled == raw, (key, rolled, raw)
                slow = timed(
                    lambda p=period, s=scope: queries.breakdown(p, s, raw=True), options.raw_runs
                )
                ratio = round(slow["median_ms"] / results[key]["median_ms"], 1)
                results[key + " · raw rows"] = slow
                results[key + " · ratio"] = ratio
                print(f"  {key + ' · raw rows':<40} {slow} ratio {ratio}x (equal)", flush=True)
        # Raw heartbeats against the daily totals and rollup, last H days.
        if options.heartbeat_days:
            from lms.reports.activity import activity_by_town
            from lms.timeutil import utcnow

            now = utcnow()
            window = Period(until - timedelta(days=options.heartbeat_days - 1), until)
            for scope_label, scope in scopes.items():
                rolled = queries.breakdown(window, scope)
                raw = queries.breakdown(window, scope, study_source=raw_daily(zone, window))
                assert summary(rolled) == summary(raw), (summary(rolled), summary(raw))
                fast = timed(lambda s=scope: queries.breakdown(window, s), options.runs)
                slow = timed(
                    lambda s=scope: queries.breakdown(
                        window, s, study_source=raw_daily(zone, window)
                    ),
                    options.raw_runs,
                )
                key = f"last {options.heartbeat_days} days · {scope_label}"
                results[key + " · rollups"] = fast
                results[key + " · raw heartbeats"] = slow
                results[key + " · ratio"] = round(slow["median_ms"] / fast["median_ms"], 1)
                print(
                    f"  {key:<40} rollups {fast} raw {slow} "
                    f"ratio {results[key + ' · ratio']}x (figures equal)",
                    flush=True,
                )
                # The study part alone (what the rollups replace; the rest is the same SQL).
                state = rollup.read_state()
                fast = timed(
                    lambda s=scope, through=state.rolled_through: activity_by_town(
                        window, s, rolled_through=through, zone=zone, now=now
                    ),
                    options.runs,
                )
                slow = timed(
                    lambda s=scope: activity_by_town(
                        window,
                        s,
                        rolled_through=None,
                        zone=zone,
                        now=now,
                        daily=raw_daily(zone, window),
                    ),
                    options.raw_runs,
                )
                key += " · study activity only"
                results[key + " · rollups"] = fast
                results[key + " · raw heartbeats"] = slow
                results[key + " · ratio"] = round(slow["median_ms"] / fast["median_ms"], 1)
                print(
                    f"  {key:<40} rollups {fast} raw {slow} ratio {results[key + ' · ratio']}x",
                    flush=True,
                )
    return results


PARTS = (
    "activity_by_town",
    "offline_hours_by_town",
    "registered_by_town",
    "completion_by_town",
    "recognitions_by_town",
    "signups_by_town",
    "sessions_held_by_town",
    "top_courses",
)


def measure_parts(app, options) -> dict:
    """Each part of the breakdown alone, for the last 365 days and the year (district and
    one 镇街), from the rollups and from the raw rows, checked equal, with the ratio."""
    results = {}
    for label, period in aim_periods(options).items():
        results.update(_measure_parts(app, options, label, period))
    return results


def _measure_parts(app, options, label, period) -> dict:
    from lms.accounts.models import Town
    from lms.extensions import db
    from lms.reports import activity, activity_ranges, queries, rolled
    from lms.reports.rollup import read_state
    from lms.timeutil import utcnow

    now = utcnow()
    results = {}
    with app.app_context():
        zone = app.config["LMS_TIMEZONE"]
        town = db.session.scalar(db.select(Town).where(Town.code == options.town))
        through = read_state().rolled_through
        cutoff = rolled.watermark(zone, now).cutoff
        for scope_label, scope in (("district", None), ("town", {town.id})):
            for name in PARTS:
                if name == "activity_by_town":
                    call = lambda s=scope: activity_ranges.activity_by_period(  # noqa: E731
                        period, s, rolled_through=through, zone=zone, now=now, cutoff=cutoff
                    )
                    raw = lambda s=scope: activity.activity_by_town(  # noqa: E731
                        period, s, rolled_through=None, zone=zone, now=now
                    )
                else:
                    function = getattr(queries, name)
                    call = lambda s=scope, f=function: f(period, s, zone=zone, now=now)  # noqa: E731
                    raw = lambda s=scope, f=function: f(  # noqa: E731
                        period, s, zone=zone, now=now, raw=True
                    )
                key = f"{label} · {scope_label} · {name}"
                assert part_figures(call()) == part_figures(raw()), (label, name)
                fast = timed(call, options.runs)
                slow = timed(raw, options.raw_runs)
                ratio = round(slow["median_ms"] / max(fast["median_ms"], 0.01), 1)
                results[key] = fast
                results[key + " · raw rows"] = slow
                results[key + " · ratio"] = ratio
                print(
                    f"  {key:<56} rollups {fast['median_ms']} ms, raw rows "
                    f"{slow['median_ms']} ms: {ratio}x (equal)",
                    flush=True,
                )
    return results


def _verdict(value, aim, *, below: bool) -> str:
    if value is None:
        return "n/a"
    return "met" if (value < aim if below else value >= aim) else "NOT met"


def aims(results: dict, options) -> list[str]:
    """The issue's aims for the dashboard, each with what was measured and whether met:
    for the last 365 days (what the issue names) and for the year of --until."""
    queries, parts = results["queries"], results.get("parts", {})
    page = results["pages"]["district page, empty cache"]["median_ms"]
    study_key = f"last {options.heartbeat_days} days · district · study activity only · ratio"
    lines = ["aims (uncached; median, p95):"]
    for label in aim_periods(options):
        district = queries[f"{label} · district"]
        town_key = next(
            k for k in queries if k.startswith(f"{label} · town") and k.count(" · ") == 1
        )
        town = queries[town_key]
        lines += [
            f"  district, {label}: {district['median_ms']} ms, p95 {district['p95_ms']} ms "
            f"(aim < 300 ms): {_verdict(district['median_ms'], 300, below=True)}",
            f"  one 镇街, {label}: {town['median_ms']} ms, p95 {town['p95_ms']} ms "
            f"(aim < 100 ms): {_verdict(town['median_ms'], 100, below=True)}",
            f"  whole dashboard vs raw rows, {label}: district "
            f"{queries[f'{label} · district · ratio']}x, "
            f"one 镇街 {queries[town_key + ' · ratio']}x",
        ]
    lines += [
        f"  district page ({options.until.year}), empty cache: {page} ms",
        f"  study activity vs raw heartbeats (last {options.heartbeat_days} days): "
        f"{queries.get(study_key, 'n/a')}x",
    ]
    for label in aim_periods(options):
        lines.append(f"  >= 10x faster than the raw rows for every part ({label}):")
        for scope in ("district", "town"):
            for name in PARTS:
                ratio = parts.get(f"{label} · {scope} · {name} · ratio")
                ms = parts.get(f"{label} · {scope} · {name}", {}).get("median_ms")
                lines.append(
                    f"    {scope:<8} {name:<24} {ms} ms, {ratio}x: "
                    f"{_verdict(ratio, 10, below=False)}"
                )
    return lines


def measure_page(app, options) -> dict:
    from lms.accounts.models import User, UserRole
    from lms.extensions import db
    from lms.reports.cache import report_cache

    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "bench-admin"))
        if admin is None:
            admin = User(username="bench-admin", display_name="bench", password_hash="!")
            admin.role_rows.append(UserRole(role="admin"))
            admin.privacy_version = app.config.get("PRIVACY_NOTICE_VERSION")
            db.session.add(admin)
            db.session.commit()
        user_id = admin.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    path = f"/reports/?period={options.until.year}"

    def uncached():
        with app.app_context():
            report_cache().clear()
        assert client.get(path).status_code == 200

    def cached():
        assert client.get(path).status_code == 200

    results = {
        "district page, empty cache": timed(uncached, options.runs),
        "district page, cached": timed(cached, options.runs),
    }
    for key, value in results.items():
        print(f"  {key:<40} {value}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--heartbeat-days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--raw-runs", type=int, default=5)
    parser.add_argument("--town", default="330603001", help="the 镇街 measured alone (code)")
    parser.add_argument("--database", default="lms_bench_dashboard")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the kept database (seed it if absent)"
    )
    parser.add_argument(
        "--until", type=date.fromisoformat, help="the last seeded day (default: yesterday)"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--smoke", action="store_true", help="a small district, two runs: does it all work?"
    )
    options = parser.parse_args()
    if options.smoke:
        options.learners, options.days, options.heartbeat_days = 300, 40, 3
        options.runs, options.raw_runs = 2, 1
    if options.database in ("test", "postgres"):
        parser.error("use a database of the benchmark's own")
    options.until = options.until or date.today() - timedelta(days=1)
    reused = options.reuse and database_exists(options)
    if options.reuse:
        options.keep = True
    if not reused:
        recreate_database(options)
    app = make_app(options)
    report = {"learners": options.learners, "days": options.days, "load_before": os.getloadavg()}
    print(f"load average {os.getloadavg()} on {os.cpu_count()} cores", flush=True)
    try:
        if reused:
            print(f"reusing {options.database}: migrating, rebuilding the rollups", flush=True)
            report["rebuild_seconds"] = migrate_and_rebuild(app)
        else:
            print(f"seeding {options.learners} learners, {options.days} days ...", flush=True)
            report["seed"] = seed(app, options)
            print(f"  {report['seed']}", flush=True)
        print("dashboard queries (no cache):", flush=True)
        report["queries"] = measure(app, options)
        print("each part alone (no cache):", flush=True)
        report["parts"] = measure_parts(app, options)
        print("pages:", flush=True)
        report["pages"] = measure_page(app, options)
        print("\n".join(aims(report, options)), flush=True)
        report["load_after"] = os.getloadavg()
        print(f"load average {os.getloadavg()}", flush=True)
    finally:
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()
        if not options.keep:
            drop_database(options)
    if options.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
