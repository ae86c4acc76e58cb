"""Heartbeat benchmark: honest simulated learners against gunicorn and PostgreSQL (not a test).

One run, everything on loopback:

1. a database of its own (dropped first if present) is migrated with `flask db upgrade` and
   given N learners enrolled in a published course whose lesson is a ready 10-hour video;
2. the app is served by gunicorn (sync workers) with LMS_HEARTBEAT_SECONDS small, so
   honest beats are frequent: N learners beating every second load the server like 10 N
   learners at the player's real 10 s;
3. each learner logs in through /login, opens a play session and then, in alternating
   slices, either beats honestly (seq + 1, the segment it really played since its last
   beat, rate 1, visible) or is paused while the same number of clients hit GET /healthz,
   a trivial JSON endpoint of the same app (asked without a cookie, as a load balancer does):
   - "paced": every client sends one request per interval (what real players do);
   - "saturated": every client sends its next request as soon as the last one is
     answered, which gives the throughput ratio heartbeats / healthz;
4. the credited totals in the database are checked against what each learner played,
   and against the rule recomputed from the raw beats' server timestamps;
5. the database round trips of one beat are counted in-process (SQLAlchemy events).

CPU time is read from /proc for the gunicorn workers, the PostgreSQL backends of the
database and this process (the load generator shares the machine's cores).

    .venv/bin/python benchmarks/heartbeats.py [--learners 50] [--seconds 20] [--json]

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
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-9"
LESSON_SECONDS = 36_000.0  # long enough that no learner reaches the end
CAP_FACTOR = 1.5  # services.CAP_FACTOR: a beat credits at most 1.5 x the interval
AMBITION_BEATS = 1000  # 10,000 learners beating every 10 s on a 2-core node
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
TICK = os.sysconf("SC_CLK_TCK")
TIMEOUT = 30.0  # seconds, for any one request
TOLERANCE = (0.5, 0.02)  # a learner's credit may fall short of its play by 0.5 s + 2 %


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
        return {"lesson_id": lesson.id, "probe_session_id": probe.get_id()}


def probe_in_process(app, lesson_id: int, probe_session_id: str, budget: float) -> dict:
    """Count one steady-state beat's SQL statements and time beats and /healthz in-process."""
    from sqlalchemy import event

    from lms.extensions import db

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
        seen["checkouts"] += 1  # with pool_pre_ping, each checkout is a round trip more

    with app.app_context():
        engine = db.engine
    beat()  # the first beat creates the lesson_progress row; later ones are the steady state
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "commit", commit)
    event.listen(engine, "checkout", checkout)
    try:
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
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        event.remove(engine, "commit", commit)
        event.remove(engine, "checkout", checkout)
    statements = one_beat["statements"]
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    checkouts = one_beat["checkouts"]
    pings = checkouts if options.get("pool_pre_ping") else 0
    return {
        "beat_statements": len(statements),
        "beat_checkouts": checkouts,
        "beat_pings": pings,
        # Each connection checked out: psycopg sends BEGIN before its first statement and
        # the transaction ends with COMMIT (or ROLLBACK when the connection goes back).
        "beat_round_trips": len(statements) + pings + 2 * checkouts,
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


@dataclass
class Learner:
    username: str
    headers: dict = field(default_factory=dict)
    play_session_id: int = 0
    seq: int = 0
    position: float = 0.0
    mark: float = 0.0  # monotonic time up to which the played media was reported
    played: float = 0.0  # media seconds sent in answered beats
    answered_credit: float = 0.0  # sum of the credited_seconds the server answered
    lost: float = 0.0  # media seconds sent in beats that failed


@dataclass
class Tally:
    latencies: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)
    late: int = 0  # paced requests answered after the next one was due

    def fail(self, why: str) -> None:
        self.failures[why] = self.failures.get(why, 0) + 1


async def log_in(connector, base: str, learner: Learner, lesson_id: int) -> None:
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: accept cookies from an IP address
    timeout = aiohttp.ClientTimeout(total=TIMEOUT * 2)
    async with aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=jar, timeout=timeout
    ) as client:
        async with client.get(f"{base}/login") as page:
            token = CSRF_META.search(await page.text()).group(1)
        form = {"csrf_token": token, "username": learner.username, "password": PASSWORD}
        async with client.post(f"{base}/login", data=form, allow_redirects=False) as reply:
            if reply.status != 302:
                raise SystemExit(f"login of {learner.username} answered {reply.status}")
        async with client.get(f"{base}/") as page:
            token = CSRF_META.search(await page.text()).group(1)
        async with client.post(
            f"{base}/api/v1/lessons/{lesson_id}/play-sessions",
            json={},
            headers={"X-CSRFToken": token},
        ) as reply:
            if reply.status != 201:
                raise SystemExit(f"play session of {learner.username}: {reply.status}")
            opened = await reply.json()
        cookie = next(c.value for c in jar if c.key == "session")
    learner.play_session_id = opened["play_session_id"]
    learner.headers = {"Cookie": f"session={cookie}", "X-CSRFToken": token}


async def send_beat(client, base: str, learner: Learner, tally: Tally) -> None:
    """One honest beat: the media played since the last one, in real time."""
    import aiohttp

    now = time.monotonic()
    played, learner.mark = now - learner.mark, now
    start, learner.position = learner.position, learner.position + played
    learner.seq += 1
    body = {
        "seq": learner.seq,
        "position": learner.position,
        "segments": [[start, learner.position]],
        "rate": 1.0,
        "visible": True,
    }
    url = f"{base}/api/v1/play-sessions/{learner.play_session_id}/heartbeats"
    started = time.perf_counter()
    try:
        async with client.post(url, json=body, headers=learner.headers) as reply:
            answer = await reply.json() if reply.status == 200 else None
            status = reply.status
    except (TimeoutError, aiohttp.ClientError) as error:
        learner.lost += played
        tally.fail(error.__class__.__name__)
        return
    tally.latencies.append(time.perf_counter() - started)
    if answer is None:
        learner.lost += played
        tally.fail(f"HTTP {status}")
        return
    learner.played += played
    learner.answered_credit += answer["credited_seconds"]


async def send_healthz(client, base: str, learner: Learner, tally: Tally) -> None:
    import aiohttp

    started = time.perf_counter()
    try:
        async with client.get(f"{base}/healthz") as reply:  # as a probe: no session cookie
            await reply.read()
            status = reply.status
    except (TimeoutError, aiohttp.ClientError) as error:
        tally.fail(error.__class__.__name__)
        return
    tally.latencies.append(time.perf_counter() - started)
    if status != 200:
        tally.fail(f"HTTP {status}")


async def run_slice(client, base, learners, kind, seconds, interval) -> Tally:
    """Every learner plays (or polls /healthz) for ``seconds``: one request per interval
    when ``interval`` is given, back to back otherwise. A playing learner resumes at the
    start and pauses at its last beat, so what it played is exactly what it reported."""
    send = send_beat if kind == "heartbeats" else send_healthz
    tally = Tally()
    start = time.monotonic()
    end = start + seconds

    async def play(learner: Learner) -> None:
        learner.mark = start
        slot = start + (random.uniform(0, interval) if interval else 0.0)
        while slot < end and time.monotonic() < end:
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await send(client, base, learner, tally)
            slot += interval
            if interval and time.monotonic() > slot + 0.05:
                tally.late += 1  # answered after the next beat was due: that one goes now
                slot = time.monotonic()

    await asyncio.wait_for(
        asyncio.gather(*(play(learner) for learner in learners)), seconds + 3 * TIMEOUT
    )
    return tally


def percentile(values: list, share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summarise(tallies: list[Tally], usage: list[dict]) -> dict:
    latencies = [v for tally in tallies for v in tally.latencies]
    seconds = sum(u["seconds"] for u in usage)
    failures: dict = {}
    for tally in tallies:
        for why, count in tally.failures.items():
            failures[why] = failures.get(why, 0) + count
    answered = len(latencies)
    cpu = {
        side: sum(u[side] for u in usage) for side in ("workers", "postgres", "loadgen", "other")
    }
    return {
        "requests": answered,
        "seconds": round(seconds, 2),
        "per_second": round(answered / seconds, 1),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
        "max_ms": round(1000 * max(latencies, default=float("nan")), 2),
        "failures": failures,
        "late": sum(tally.late for tally in tallies),
        "cores": {side: round(v / seconds, 2) for side, v in cpu.items()},
        "cpu_ms_per_request": {
            side: round(1000 * cpu[side] / max(answered, 1), 3)
            for side in ("workers", "postgres", "loadgen")
        },
    }


async def drive(options, base: str, lesson_id: int, meter: CpuMeter) -> tuple[list, dict]:
    import aiohttp

    learners = [Learner(f"learner{number:05d}") for number in range(options.learners)]
    connector = aiohttp.TCPConnector(limit=options.learners + 8, force_close=True)
    try:
        gate = asyncio.Semaphore(4)  # logging in hashes the password (scrypt) on the server

        async def enter(learner):
            async with gate:
                await log_in(connector, base, learner, lesson_id)

        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(*(enter(learner) for learner in learners)), 60 + options.learners
        )
        login_seconds = time.monotonic() - started
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=timeout,
        ) as client:
            phases = {}
            # Paced: one request per interval from each client, beats then /healthz.
            for kind in ("heartbeats", "healthz"):
                meter.start()
                tally = await run_slice(
                    client, base, learners, kind, options.seconds, options.interval
                )
                phases[f"paced {kind}"] = summarise([tally], [meter.stop()])
            # Saturated: back to back, alternating slices so drift hits both alike.
            tallies = {"heartbeats": ([], []), "healthz": ([], [])}
            piece = options.seconds / (2 * options.rounds)
            for _ in range(options.rounds):
                for kind in ("heartbeats", "healthz"):
                    meter.start()
                    tally = await run_slice(client, base, learners, kind, piece, 0)
                    tallies[kind][0].append(tally)
                    tallies[kind][1].append(meter.stop())
            for kind, (parts, usage) in tallies.items():
                phases[f"saturated {kind}"] = summarise(parts, usage)
    finally:
        await connector.close()
    return learners, {"login_seconds": round(login_seconds, 1), "phases": phases}


# --- checking the credited totals ------------------------------------------------------


def check_credit(monitor, learners: list[Learner], interval: int) -> dict:
    """Compare the rollups with what each learner played and with the rule recomputed
    from the raw beats' server timestamps (min of wall time, media time, the cap)."""
    by_session = {learner.play_session_id: learner for learner in learners}
    sessions = {
        row[0]: row[1:]
        for row in monitor.execute(
            "SELECT id, learner_id, lesson_id, opened_at, credited_seconds FROM play_sessions"
            " WHERE id = ANY(%s)",
            (list(by_session),),
        )
    }
    lesson_progress = {
        (row[0], row[1]): row[2]
        for row in monitor.execute(
            "SELECT learner_id, lesson_id, credited_seconds FROM lesson_progress"
        )
    }
    daily = dict(
        monitor.execute("SELECT learner_id, sum(credited_seconds) FROM daily_study GROUP BY 1")
    )
    recomputed = {sid: 0.0 for sid in sessions}
    stored = {sid: 0.0 for sid in sessions}
    previous = {sid: row[2] for sid, row in sessions.items()}
    beats = monitor.execute(
        "SELECT play_session_id, received_at, segments, rate, visible, credited_seconds"
        " FROM heartbeats WHERE play_session_id = ANY(%s) ORDER BY play_session_id, seq",
        (list(by_session),),
    )
    for sid, received, segments, rate, visible, credited in beats:
        wall = (received - previous[sid]).total_seconds()
        previous[sid] = received
        media = sum(min(b, LESSON_SECONDS) - min(a, LESSON_SECONDS) for a, b in segments)
        if visible and 0 < rate <= 2.0:
            recomputed[sid] += max(0.0, min(wall, media / rate, CAP_FACTOR * interval))
        stored[sid] += credited
    rows = []
    for sid, (learner_id, lesson_id, _, session_credit) in sessions.items():
        learner = by_session[sid]
        credited = lesson_progress.get((learner_id, lesson_id), 0.0)
        rows.append(
            {
                "played": learner.played,
                "credited": credited,
                "deviation": credited - learner.played,
                "rule_gap": abs(credited - recomputed[sid]),
                "rollup_gap": max(
                    abs(credited - daily.get(learner_id, 0.0)),
                    abs(credited - session_credit),
                    abs(credited - stored[sid]),
                    abs(credited - learner.answered_credit),
                ),
                "lost": learner.lost,
            }
        )
    size, count = monitor.execute(
        "SELECT pg_total_relation_size('heartbeats'), (SELECT count(*) FROM heartbeats)"
    ).fetchone()
    worst = max(rows, key=lambda row: abs(row["deviation"]))
    beyond = [r for r in rows if abs(r["deviation"]) > TOLERANCE[0] + TOLERANCE[1] * r["played"]]
    played = sum(row["played"] for row in rows)
    credited = sum(row["credited"] for row in rows)
    return {
        "learners": len(rows),
        "played_seconds": round(played, 2),
        "credited_seconds": round(credited, 2),
        "credited_share": round(credited / played, 5) if played else None,
        "max_deviation_seconds": round(worst["deviation"], 3),
        "max_deviation_share": round(abs(worst["deviation"]) / worst["played"], 5)
        if worst["played"]
        else None,
        "max_over_credit_seconds": round(max(row["deviation"] for row in rows), 3),
        "max_rule_gap_seconds": round(max(row["rule_gap"] for row in rows), 6),
        # answered credits are rounded to 1 ms per beat
        "max_rollup_gap_seconds": round(max(row["rollup_gap"] for row in rows), 3),
        "lost_seconds": round(sum(row["lost"] for row in rows), 2),
        "beyond_tolerance": len(beyond),
        "raw_beat_bytes": round(size / count) if count else None,  # table + indexes + TOAST
    }


# --- the report ------------------------------------------------------------------------


def analyse(result: dict, options) -> dict:
    phases = result["phases"]
    beats, healthz = phases["saturated heartbeats"], phases["saturated healthz"]
    server_ms = beats["cpu_ms_per_request"]["workers"] + beats["cpu_ms_per_request"]["postgres"]
    dedicated = 2000 / server_ms if server_ms else float("nan")
    return {
        "throughput_ratio": round(beats["per_second"] / healthz["per_second"], 3),
        "paced_p50_ratio": round(
            phases["paced healthz"]["p50_ms"] / phases["paced heartbeats"]["p50_ms"], 3
        ),
        "server_cpu_ms_per_beat": round(server_ms, 3),
        "beats_per_s_dedicated_2_cores": round(dedicated, 1),
        "ambition_factor_measured": round(AMBITION_BEATS / beats["per_second"], 2),
        "ambition_factor_dedicated": round(AMBITION_BEATS / dedicated, 2),
        "cores_needed_for_ambition": round(AMBITION_BEATS * server_ms / 1000, 2),
        "raw_beats_gb_per_day_at_ambition": round(
            AMBITION_BEATS * 86400 * (result["credit"]["raw_beat_bytes"] or 0) / 1e9, 1
        ),
    }


def render(result: dict, options) -> str:
    phases, probe, credit, verdict = (
        result["phases"],
        result["probe"],
        result["credit"],
        result["analysis"],
    )
    real = options.learners * 10 // options.interval
    lines = [
        f"Heartbeats: {options.learners} learners beating every {options.interval} s (the load "
        f"of ~{real:,} learners at the player's 10 s); gunicorn {options.workers} sync workers; "
        f"{result['postgres']}",
        f"machine: {result['cores']} cores shared by gunicorn, PostgreSQL, this load generator "
        f"(asyncio + aiohttp, one process) and anything else running; "
        f"logins took {result['login_seconds']} s",
        "",
        f"{'phase':<22}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'fail':>6}{'late':>6}"
        f"   cores: {'workers':>7}{'pg':>6}{'loadgen':>8}{'other':>6}",
    ]
    busiest = max(phase["cores"]["other"] for phase in phases.values())
    if busiest > 0.2:
        lines.insert(
            2,
            f"WARNING: other processes used up to {busiest} of the {result['cores']} cores"
            " during the run; throughput and latency are lower than on a quiet machine",
        )
    for name, phase in phases.items():
        cores = phase["cores"]
        lines.append(
            f"{name:<22}{phase['per_second']:>8}{phase['p50_ms']:>9}{phase['p99_ms']:>9}"
            f"{phase['max_ms']:>9}{sum(phase['failures'].values()):>6}{phase['late']:>6}"
            f"          {cores['workers']:>7}{cores['postgres']:>6}{cores['loadgen']:>8}"
            f"{cores['other']:>6}"
        )
    beats, healthz = phases["saturated heartbeats"], phases["saturated healthz"]
    timing, pings = probe["in_process"], probe["beat_pings"]
    lines += [
        "",
        f"throughput ratio heartbeats / healthz (saturated, {options.learners} clients each): "
        f"{verdict['throughput_ratio']}  (aim >= 0.5)",
        f"paced p50 ratio healthz / heartbeats: {verdict['paced_p50_ratio']}",
        "CPU per request (saturated): heartbeat "
        f"{beats['cpu_ms_per_request']['workers']} ms worker + "
        f"{beats['cpu_ms_per_request']['postgres']} ms PostgreSQL + "
        f"{beats['cpu_ms_per_request']['loadgen']} ms load generator; healthz "
        f"{healthz['cpu_ms_per_request']['workers']} ms worker + "
        f"{healthz['cpu_ms_per_request']['loadgen']} ms load generator",
        f"database per beat: {probe['beat_statements']} SQL statements in "
        f"{probe['beat_checkouts']} transaction(s) (BEGIN, COMMIT or ROLLBACK"
        f"{', pool pre-ping' if pings else ''}) = "
        f"{probe['beat_round_trips']} round trips ({probe['healthz_statements']} for /healthz):",
        *wrap(", ".join(probe["beat_sql_summary"])),
        f"in-process (test client, no HTTP, one thread): heartbeat {timing['heartbeat']['ms']} ms"
        f" ({timing['heartbeat']['cpu_ms']} ms CPU of this process, "
        f"{timing['heartbeat']['db_ms']} ms waiting in the database driver); "
        f"healthz {timing['healthz']['ms']} ms ({timing['healthz']['cpu_ms']} ms CPU)",
        "",
        f"credited: {credit['learners']} learners played {credit['played_seconds']} s and were "
        f"credited {credit['credited_seconds']} s ({credit['credited_share']}); largest "
        f"deviation of one learner {credit['max_deviation_seconds']} s "
        f"({credit['max_deviation_share']}); most over-credited "
        f"{credit['max_over_credit_seconds']} s",
        f"rollups vs the rule recomputed from raw beats: max gap {credit['max_rule_gap_seconds']}"
        f" s; lesson / daily / play session / answered totals: max gap "
        f"{credit['max_rollup_gap_seconds']} s; media in failed beats {credit['lost_seconds']} s",
        f"verdict: {result['credit_verdict']}",
        "",
        f"ambition 1,000 beats/s on 2 cores: measured {beats['per_second']} beats/s here "
        f"({verdict['ambition_factor_measured']}x short, load generator included); server side "
        f"{verdict['server_cpu_ms_per_beat']} ms CPU per beat -> "
        f"~{verdict['beats_per_s_dedicated_2_cores']} beats/s on 2 dedicated cores "
        f"({verdict['ambition_factor_dedicated']}x short; "
        f"{verdict['cores_needed_for_ambition']} cores for 1,000 beats/s)",
        f"raw beats take {credit['raw_beat_bytes']} bytes each with their indexes: "
        f"{verdict['raw_beats_gb_per_day_at_ambition']} GB a day at 1,000 beats/s, kept for "
        "LMS_HEARTBEAT_RETENTION_DAYS (90 by default)",
    ]
    return "\n".join(lines)


def wrap(text: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")


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


def credit_verdict(credit: dict, interval: int) -> str:
    problems = []
    if credit["max_over_credit_seconds"] > 0.01:
        problems.append("a learner was credited more than it played")
    if credit["max_rule_gap_seconds"] > 0.01 or credit["max_rollup_gap_seconds"] > 0.05:
        problems.append("the rollups disagree with the raw beats")
    if problems:
        return "FAIL: " + "; ".join(problems)
    if credit["beyond_tolerance"]:
        return (
            f"ok, but {credit['beyond_tolerance']} learners were credited less than they played"
            " by more than 0.5 s + 2%: the server's wall time between their beats was shorter"
            " than their play time (latency jitter), or beats were more than"
            f" {CAP_FACTOR} x {interval} s apart (the per-beat cap): the server fell behind"
        )
    return "ok: every learner was credited what it played (within 0.5 s + 2%), never more"


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


async def run_spread_slice(client, bases: list, learners: list, seconds: float) -> Tally:
    """Saturated beats for ``seconds``: each learner sends its next beat as soon as the
    last is answered, beat n of learner i to ``bases[(i + n) % len(bases)]``."""
    tally = Tally()
    start = time.monotonic()
    end = start + seconds

    async def play(index: int, learner: Learner) -> None:
        learner.mark = start
        while time.monotonic() < end:
            await send_beat(client, bases[(index + learner.seq) % len(bases)], learner, tally)

    await asyncio.wait_for(
        asyncio.gather(*(play(i, learner) for i, learner in enumerate(learners))),
        seconds + 3 * TIMEOUT,
    )
    return tally


async def drive_scaling(options, bases: list, lesson_id: int, meters: dict) -> tuple:
    """Log every learner in once (a session is valid on every process: one secret), then
    alternate saturated slices on 1 and on 2 processes, ``options.rounds`` of each."""
    import aiohttp

    learners = [Learner(f"learner{number:05d}") for number in range(options.learners)]
    connector = aiohttp.TCPConnector(limit=options.learners + 8, force_close=True)
    try:
        gate = asyncio.Semaphore(4)  # logging in hashes the password (scrypt) on the server

        async def enter(index: int, learner: Learner) -> None:
            async with gate:
                await log_in(connector, bases[index % len(bases)], learner, lesson_id)

        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(*(enter(i, learner) for i, learner in enumerate(learners))),
            60 + options.learners,
        )
        login_seconds = time.monotonic() - started
        async with aiohttp.ClientSession(
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        ) as client:
            parts = {count: ([], []) for count in meters}
            piece = options.seconds / (len(meters) * options.rounds)
            for _ in range(options.rounds):
                for count, meter in meters.items():
                    meter.start()
                    tally = await run_spread_slice(client, bases[:count], learners, piece)
                    parts[count][0].append(tally)
                    parts[count][1].append(meter.stop())
    finally:
        await connector.close()
    phases = {
        f"{count} web process{'es' if count > 1 else ''}": summarise(tallies, usage)
        for count, (tallies, usage) in parts.items()
    }
    return learners, {"login_seconds": round(login_seconds, 1), "phases": phases}


def scaling_bound(phases: dict, options, cores: int) -> dict:
    """The ratio of beats per second on 2 processes to 1, what held each back, and what
    the CPU per beat predicts for this machine when nothing else runs on it."""
    one, two = phases["1 web process"], phases["2 web processes"]
    ratio = two["per_second"] / one["per_second"] if one["per_second"] else float("nan")
    lines = []
    for name, phase, processes in (("1 process", one, 1), ("2 processes", two, 2)):
        used = phase["cores"]
        busy = sum(used.values())
        workers_can = min(processes * options.workers, cores)  # a sync worker: one core
        if used["workers"] >= 0.8 * workers_can:
            why = (
                f"its sync worker(s) were busy {used['workers']} of the {workers_can} cores "
                "they can use (one request at a time each): the web processes bound it"
            )
        elif busy >= 0.85 * cores and used["other"] > 0.2:
            why = (
                f"the {cores} cores were full ({busy:.2f}) and other processes took "
                f"{used['other']} of them: the web side got the share of CPU the kernel gave "
                "its processes (more runnable web processes get a larger share)"
            )
        elif busy >= 0.85 * cores:
            why = (
                f"the {cores} cores were full ({busy:.2f}: workers {used['workers']}, "
                f"PostgreSQL {used['postgres']}, load generator {used['loadgen']})"
            )
        else:
            why = (
                f"neither the workers ({used['workers']} of {workers_can} cores) nor the "
                f"machine ({busy:.2f} of {cores}) was saturated: waiting bounds it (database "
                "round trips, row locks, the load generator)"
            )
        lines.append(f"{name}: {phase['per_second']} beats/s; {why}")
    # Quiet-machine estimate: a sync worker spends worker_ms of one core per beat; a beat
    # costs total_ms of CPU in all (workers, PostgreSQL, load generator) out of the cores.
    cost = two["cpu_ms_per_request"]
    worker_ms, total_ms = cost["workers"], sum(cost.values())
    estimate = {}
    if worker_ms and total_ms:
        for processes in (1, 2):
            estimate[processes] = min(
                1000 * processes * options.workers / worker_ms, 1000 * cores / total_ms
            )
        lines.append(
            f"quiet {cores}-core estimate from the CPU per beat ({worker_ms} ms in a worker, "
            f"{total_ms:.2f} ms in all): 1 process <= {estimate[1]:.0f} beats/s "
            f"({'its worker(s)' if estimate[1] < 1000 * cores / total_ms else 'the cores'}), "
            f"2 processes <= {estimate[2]:.0f} beats/s "
            f"({'their workers' if estimate[2] < 1000 * cores / total_ms else 'the cores'}, "
            f"PostgreSQL and the load generator included): ratio <= "
            f"{estimate[2] / estimate[1]:.2f}"
        )
    return {
        "ratio": round(ratio, 3),
        "quiet_estimate_beats_per_s": {k: round(v, 1) for k, v in estimate.items()},
        "bounds": lines,
    }


def render_scaling(result: dict, options) -> str:
    phases, credit = result["phases"], result["credit"]
    lines = [
        f"Heartbeats on 1 and on 2 web processes: {options.learners} learners sending "
        f"saturated beats (LMS_HEARTBEAT_SECONDS={options.interval}); each process is gunicorn "
        f"with {options.workers} sync worker(s); {result['postgres']}; "
        f"{options.rounds} alternating slices of each, {options.seconds:.0f} s in all",
        f"machine: {result['cores']} cores shared by the web processes, PostgreSQL, this load "
        f"generator and anything else running; logins took {result['login_seconds']} s",
        "",
        f"{'processes':<20}{'beats/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'fail':>6}"
        f"   cores: {'workers':>7}{'pg':>6}{'loadgen':>8}{'other':>6}",
    ]
    for name, phase in phases.items():
        cores = phase["cores"]
        lines.append(
            f"{name:<20}{phase['per_second']:>8}{phase['p50_ms']:>9}{phase['p99_ms']:>9}"
            f"{phase['max_ms']:>9}{sum(phase['failures'].values()):>6}"
            f"          {cores['workers']:>7}{cores['postgres']:>6}{cores['loadgen']:>8}"
            f"{cores['other']:>6}"
        )
    busiest = max(phase["cores"]["other"] for phase in phases.values())
    if busiest > 0.2:
        lines.append(
            f"WARNING: other processes used up to {busiest} of the {result['cores']} cores"
            " during the run; the figures are lower than on a quiet machine"
        )
    lines += [
        "",
        f"scaling ratio, 2 processes / 1: {result['scaling']['ratio']} (2.0 would be linear)",
        *(f"  {line}" for line in result["scaling"]["bounds"]),
        "",
        f"credited: {credit['learners']} learners played {credit['played_seconds']} s, credited "
        f"{credit['credited_seconds']} s; rollups vs the rule recomputed from raw beats: max gap "
        f"{credit['max_rule_gap_seconds']} s; verdict: {result['credit_verdict']}",
    ]
    return "\n".join(lines)


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
    parser.add_argument("--learners", type=int, default=50, help="simulated learners")
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
        "--scaling", action="store_true", help="compare 1 and 2 web processes instead"
    )
    options = parser.parse_args()
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
