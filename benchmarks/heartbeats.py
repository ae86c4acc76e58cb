"""Heartbeat benchmark: honest simulated learners against gunicorn and PostgreSQL (not a test).

One run, everything on loopback:

1. a database of its own (dropped first if present) is migrated with `flask db upgrade` and
   given N learners enrolled in a published course whose lesson is a ready 10-hour video;
2. the app is served by gunicorn (sync workers) with LMS_HEARTBEAT_SECONDS small, so
   honest beats are frequent: N learners beating every second load the server like 10 N
   learners at the player's real 10 s;
3. each learner gets a session cookie made with the app's secret (``--log-in``: logs in
   through /login instead), opens a play session and then, in alternating slices,
   either beats honestly (seq + 1, the segment it really played since its last beat,
   rate 1, visible) or is paused while the same number of clients hit GET /healthz, a
   trivial JSON endpoint of the same app (asked without a cookie, as a load balancer does):
   - "paced": every client sends one request per interval (what real players do);
   - "saturated": every client sends its next request as soon as the last one is
     answered — a learner's next beat 0.55 interval after that answer, since the server
     refuses beats sooner than half an interval apart: enough learners (400 by default)
     saturate the server without any 429, and only accepted beats count — which gives
     the throughput ratio heartbeats / healthz;
4. the credited totals in the database are checked against what each learner played,
   and against the rule recomputed from the raw beats' server timestamps;
5. the database round trips of one beat are counted in-process (SQLAlchemy events);
6. issue #20's aims are printed, each with what was measured and whether it is met.

The load generator is heartbeat_load.py, the figures and the report heartbeat_report.py.
``--smoke``: 20 learners and short phases, to see that everything works.

CPU time is read from /proc for the gunicorn workers, the PostgreSQL backends of the
database and this process (the load generator shares the machine's cores).

    .venv/bin/python benchmarks/heartbeats.py [--learners 400] [--seconds 20] [--json]

With ``--scaling`` the run instead compares 1 and 2 web processes (gunicorn masters on
two ports, ``--workers`` sync workers each, 1 by default): the same learners send
saturated beats to one process, then to both in turn (beat n of learner i to process
(i + n) mod 2), in alternating slices; it prints the scaling ratio and what bounds it on
this machine (the one process's workers, or the machine's cores and who used them).

    .venv/bin/python benchmarks/heartbeats.py --scaling [--learners 50] [--seconds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heartbeat_load import CSRF_META, PASSWORD, drive, drive_scaling  # noqa: E402
from heartbeat_report import (  # noqa: E402
    LESSON_SECONDS,
    analyse,
    check_credit,
    credit_verdict,
    render,
    render_scaling,
    scaling_bound,
)

TICK = os.sysconf("SC_CLK_TCK")


# --- the database and the app ----------------------------------------------------------


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


def drop_database(options) -> None:
    with admin_connect(options) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')


def database_url(options) -> str:
    return f"postgresql://{options.pg_user}@{options.pg_host}:{options.pg_port}/{options.database}"


def server_environ(options, instance: Path) -> dict:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("LMS_")}
    environ.update(
        {
            "LMS_DATABASE_URL": database_url(options),
            "LMS_INSTANCE_PATH": str(instance),
            "LMS_SECRET_KEY": "heartbeat-benchmark",
            "LMS_EMBEDDED_WORKER": "0",
            "LMS_HEARTBEAT_SECONDS": str(options.interval),
            "LMS_LOGIN_LIMIT_PER_IP": "100000 per minute",
            "LMS_LOGIN_LIMIT_PER_USERNAME": "100000 per minute",
            # Beats come 10 / interval times as often as a real player's: no 429 from the
            # per-learner budget (the throughput counts accepted beats only).
            "LMS_STUDY_LIMIT": "100000 per minute",
            # Scaled mode (PostgreSQL) refuses to start without a shared signing key.
            "LMS_SIGNING_KEY_FILE": signing_key_file(instance.parent / "signing_key.pem"),
        }
    )
    return environ


def signing_key_file(path: Path) -> str:
    from lms.credits.credentials import load_or_create_signing_key

    load_or_create_signing_key(str(path))
    return str(path)


def venv_tool(name: str) -> list[str]:
    tool = Path(sys.executable).parent / name
    return [str(tool)] if tool.exists() else [sys.executable, "-m", name]


def migrate(environ: dict) -> None:
    done = subprocess.run(
        [*venv_tool("flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        raise SystemExit(f"flask db upgrade failed:\n{done.stdout}\n{done.stderr}")


def populate(app, learners: int) -> dict:
    """A teacher, a published course with one ready lesson, learners enrolled in it."""
    from lms.accounts import services as accounts
    from lms.accounts.models import User
    from lms.accounts.services import NewUser, create_user, upsert_town
    from lms.courses import services
    from lms.extensions import db
    from lms.media.models import VideoAsset
    from lms.timeutil import utcnow

    with app.app_context():
        town = upsert_town("990000001", "基准街道", 100_000)
        teacher = create_user(
            NewUser("bench-teacher", "基准教师", PASSWORD, town.code, roles=("teacher",)),
            actor=None,
        )
        course = services.create_course(services.CourseSettings(title="心跳基准"), actor=teacher)
        lesson = services.add_lesson(course, "第1课", actor=teacher)
        asset = VideoAsset(
            status="ready", percent=100.0, duration=LESSON_SECONDS, source_filename="x.mp4"
        )
        db.session.add(asset)
        db.session.flush()
        lesson.asset = asset
        course.status, course.published_at = "published", utcnow()
        # Every learner has the same password: hash it once (scrypt) instead of N times.
        hashed = teacher.password_hash

        def set_password(user, _password):
            user.password_hash = hashed

        with mock.patch.object(User, "set_password", set_password):
            for number in range(learners + 1):  # the last one is the in-process probe
                learner = create_user(
                    NewUser(f"learner{number:05d}", f"学员{number}", PASSWORD, town.code),
                    actor=None,
                )
                if hasattr(accounts, "record_consent"):  # the privacy notice is accepted
                    accounts.record_consent(learner)
                services.enrol(course, learner)
        db.session.commit()
        probe = db.session.scalar(db.select(User).filter_by(username=f"learner{learners:05d}"))
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = {
            user.username: serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
            for user in db.session.scalars(db.select(User).where(User.username.like("learner%")))
        }
        return {"lesson_id": lesson.id, "probe_session_id": probe.get_id(), "cookies": cookies}


def probe_in_process(app, lesson_id: int, probe_session_id: str, budget: float) -> dict:
    """Count one steady-state beat's SQL statements and time beats and /healthz in-process."""
    from sqlalchemy import event

    from lms.database import counting_round_trips
    from lms.extensions import db
    from lms.study import recording

    client, anonymous = app.test_client(), app.test_client()  # /healthz: a probe, no cookie
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = probe_session_id, True
    token = CSRF_META.search(client.get("/").get_data(as_text=True)).group(1)
    headers = {"X-CSRFToken": token}
    opened = client.post(f"/api/v1/lessons/{lesson_id}/play-sessions", json={}, headers=headers)
    url = f"/api/v1/play-sessions/{opened.json['play_session_id']}/heartbeats"
    seq = iter(range(1, 10**6))

    def beat():
        number = next(seq)
        body = {
            "seq": number,
            "position": number * 0.01,
            "rate": 1.0,
            "visible": True,
            "segments": [[number * 0.01 - 0.01, number * 0.01]],
        }
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)

    seen = {"statements": [], "commits": 0, "checkouts": 0, "db_seconds": 0.0}

    def before(conn, cursor, statement, parameters, context, executemany):
        seen["statements"].append(" ".join(statement.split()))
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen["db_seconds"] += time.perf_counter() - conn.info.pop("bench_started")

    def commit(conn):
        seen["commits"] += 1

    def checkout(dbapi_connection, record, proxy):
        seen["checkouts"] += 1

    with app.app_context():
        engine = db.engine
    # The probe beats back to back: a clock one interval further at every reading keeps
    # each beat due (the minimum spacing refuses beats sooner than half an interval).
    ticks = iter(range(1, 10**7))
    started_at = recording.utcnow()
    interval = app.config["LMS_HEARTBEAT_SECONDS"]
    clock = mock.patch.object(
        recording, "utcnow", lambda: started_at + timedelta(seconds=interval * next(ticks))
    )
    clock.start()
    beat()  # the first beat creates the lesson_progress row; later ones are the steady state
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "commit", commit)
    event.listen(engine, "checkout", checkout)
    try:
        with counting_round_trips(engine) as wire:  # on the wire: BEGIN, pings included
            beat()
        one_beat = dict(seen, statements=list(seen["statements"]))
        anonymous.get("/healthz")
        healthz_statements = len(seen["statements"]) - len(one_beat["statements"])
        timings = {}
        for name, request in (("heartbeat", beat), ("healthz", lambda: anonymous.get("/healthz"))):
            seen.update(statements=[], db_seconds=0.0)
            count, started, cpu = 0, time.perf_counter(), time.process_time()
            while count < 2000 and time.perf_counter() - started < budget / 2:
                request()
                count += 1
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            timings[name] = {
                "ms": round(1000 * elapsed / count, 3),
                "cpu_ms": round(1000 * cpu / count, 3),
                "db_ms": round(1000 * seen["db_seconds"] / count, 3),
                "requests": count,
            }
    finally:
        clock.stop()
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        event.remove(engine, "commit", commit)
        event.remove(engine, "checkout", checkout)
    statements = one_beat["statements"]
    return {
        "beat_statements": len(statements),
        "beat_checkouts": one_beat["checkouts"],
        "beat_round_trips": wire["round_trips"],
        "beat_wire": wire["sent"],
        "beat_commits": one_beat["commits"],
        "beat_sql": [statement[:160] for statement in statements],
        "beat_sql_summary": [sql_summary(statement) for statement in statements],
        "healthz_statements": healthz_statements,
        "in_process": timings,
    }


def sql_summary(statement: str) -> str:
    """ "SELECT users", "UPDATE lesson_progress", "SELECT play_sessions FOR UPDATE"..."""
    verb = statement.split(None, 1)[0].upper()
    pattern = {"SELECT": r"\bFROM (\w+)", "INSERT": r"INTO (\w+)", "UPDATE": r"UPDATE (\w+)"}
    table = re.search(pattern.get(verb, r"(\w+)"), statement)
    locked = " FOR UPDATE" if statement.rstrip().endswith("FOR UPDATE") else ""
    return f"{verb} {table.group(1) if table else '?'}{locked}"


# --- gunicorn and CPU accounting -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(environ: dict, workers: int, port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *venv_tool("gunicorn"),
                "--no-control-socket",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200 and len(worker_pids(process.pid)) == workers:
                    return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn was started in
            process.wait(timeout=10)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == master:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def _stat_fields(pid: int) -> list[str]:
    # Fields after "(comm)": state, ppid, ..., utime is the 12th and stime the 13th.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_of(pid: int) -> float:
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


class CpuMeter:
    """CPU seconds used by each side between start() and stop()."""

    def __init__(self, master: int, monitor, database: str):
        self.master, self.monitor, self.database = master, monitor, database

    def _backends(self) -> list[int]:
        rows = self.monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.database,),
        ).fetchall()
        return [row[0] for row in rows]

    def _sample(self) -> dict:
        workers = [self.master, *worker_pids(self.master)]
        own = os.times()
        return {
            "workers": {pid: cpu_of(pid) for pid in workers},
            "postgres": {pid: cpu_of(pid) for pid in self._backends()},
            "loadgen": own.user + own.system,
            "machine": machine_cpu(),
            "wall": time.monotonic(),
        }

    def start(self) -> None:
        self.begin = self._sample()

    def stop(self) -> dict:
        end, begin = self._sample(), self.begin

        def spent(side):
            return sum(v - begin[side].get(pid, 0.0) for pid, v in end[side].items())

        used = {
            "workers": spent("workers"),
            "postgres": spent("postgres"),
            "loadgen": end["loadgen"] - begin["loadgen"],
        }
        busy = end["machine"][0] - begin["machine"][0]
        used["other"] = max(0.0, busy - sum(used.values()))
        wall = end["wall"] - begin["wall"]
        return {"seconds": wall, **{side: cpu for side, cpu in used.items()}}


# --- the simulated learners ------------------------------------------------------------


# --- checking the credited totals ------------------------------------------------------


# --- the report ------------------------------------------------------------------------


def wait_until_quiet(seconds: float, busy_cores: float = 0.3) -> float:
    """Wait (at most ``seconds``) for other work on the machine to calm down; returns the
    busy cores seen last."""
    deadline = time.monotonic() + seconds
    while True:
        before = machine_cpu()[0]
        time.sleep(2)
        busy = (machine_cpu()[0] - before) / 2
        if busy <= busy_cores or time.monotonic() >= deadline:
            return round(busy, 2)


# --- 1 and 2 web processes --------------------------------------------------------------


class ProcessesCpuMeter(CpuMeter):
    """CpuMeter over several gunicorn masters and their workers."""

    def __init__(self, masters: list[int], monitor, database: str):
        super().__init__(masters[0], monitor, database)
        self.masters = masters

    def _sample(self) -> dict:
        sample = super()._sample()
        pids = [pid for master in self.masters for pid in (master, *worker_pids(master))]
        sample["workers"] = {pid: cpu_of(pid) for pid in pids}
        return sample


def run_scaling(options, environ: dict, folder: Path, lesson_id: int, monitor) -> tuple:
    servers = []
    try:
        for number in range(2):
            port = free_port()
            log = folder / f"gunicorn-{number + 1}.log"
            servers.append((start_gunicorn(environ, options.workers, port, log), port))
        masters = [server.pid for server, _ in servers]
        meters = {
            1: ProcessesCpuMeter(masters[:1], monitor, options.database),
            2: ProcessesCpuMeter(masters, monitor, options.database),
        }
        bases = [f"http://127.0.0.1:{port}" for _, port in servers]
        return asyncio.run(drive_scaling(options, bases, lesson_id, meters))
    finally:
        for server, _ in servers:
            stop_gunicorn(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--learners",
        type=int,
        default=400,
        help="simulated learners (each beats at most every 0.6 interval: enough to saturate)",
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--interval", type=int, default=1, help="LMS_HEARTBEAT_SECONDS")
    parser.add_argument(
        "--workers", type=int, help="gunicorn sync workers per web process (2; 1 with --scaling)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="saturated slices per kind")
    parser.add_argument("--database", default="lms_bench_heartbeats")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0,
        help="wait up to this many seconds for the machine to be idle before measuring",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--log-in",
        dest="forge_sessions",
        action="store_false",
        help="log every learner in through /login (else each gets a session cookie made "
        "with the app's secret, which skips hundreds of scrypt hashes)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="20 learners, short phases: does it all work?"
    )
    parser.add_argument(
        "--scaling", action="store_true", help="compare 1 and 2 web processes instead"
    )
    options = parser.parse_args()
    if options.smoke:
        options.learners, options.seconds, options.rounds = 20, 4, 1
    options.workers = options.workers or (1 if options.scaling else 2)
    if options.database in ("test", "postgres") or not options.learners > 0:
        parser.error("use a database of the benchmark's own and at least one learner")

    folder = Path(tempfile.mkdtemp(prefix="lms-heartbeat-bench-"))
    environ = server_environ(options, folder / "instance")
    server = monitor = None
    recreate_database(options)
    try:
        import psycopg

        from lms import create_app

        migrate(environ)
        # A handler on the root logger first: the app then leaves logging alone and this
        # process does not print a line per in-process request (the workers still log).
        logging.getLogger().addHandler(logging.NullHandler())
        app = create_app(environ=environ)
        made = populate(app, options.learners)
        options.cookies = made["cookies"] if options.forge_sessions else {}
        if not options.scaling:
            probe = probe_in_process(app, made["lesson_id"], made["probe_session_id"], budget=6)
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()
        monitor = psycopg.connect(database_url(options), autocommit=True)
        postgres = monitor.execute("SHOW server_version").fetchone()[0]
        busy_before = wait_until_quiet(options.quiet_wait) if options.quiet_wait else None
        if options.scaling:
            learners, result = run_scaling(options, environ, folder, made["lesson_id"], monitor)
        else:
            port = free_port()
            server = start_gunicorn(environ, options.workers, port, folder / "gunicorn.log")
            meter = CpuMeter(server.pid, monitor, options.database)
            learners, result = asyncio.run(
                drive(options, f"http://127.0.0.1:{port}", made["lesson_id"], meter)
            )
            stop_gunicorn(server)
            result["probe"] = probe
        credit = check_credit(monitor, learners, options.interval)
        result.update(
            cores=os.cpu_count(),
            postgres=f"PostgreSQL {postgres} on loopback",
            credit=credit,
            credit_verdict=credit_verdict(credit, options.interval),
            busy_cores_before=busy_before,
            options=vars(options),
        )
        if options.scaling:
            result["scaling"] = scaling_bound(result["phases"], options, os.cpu_count())
        else:
            result["analysis"] = analyse(result, options)
    finally:
        if server is not None:
            stop_gunicorn(server)
        if monitor is not None:
            monitor.close()
        drop_database(options)
        shutil.rmtree(folder, ignore_errors=True)
    renderer = render_scaling if options.scaling else render
    print(json.dumps(result, indent=1) if options.json else renderer(result, options))
    if result["credit_verdict"].startswith("FAIL"):
        sys.exit(1)


if __name__ == "__main__":
    main()
