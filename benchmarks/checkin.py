"""Check-in benchmark: a class-start burst against gunicorn and PostgreSQL (not a test).

One run, everything on loopback, figures side by side:

1. a database of its own (dropped first if present) is migrated with `flask db upgrade`
   and given a community school, a class that began five minutes ago, N learners signed
   up to check in with the rotating QR and 1,000 more holding learning cards;
2. the app is served by gunicorn as the Docker image runs it (gthread workers, 8 threads
   each, a 300 s timeout);
3. bursts of N requests, arrivals spread evenly over a few seconds, each on its own
   connection: GET /healthz (trivial JSON) and GET /readyz (one `SELECT 1`) of the same
   app, then the N learners opening the QR's /attend/<token> URL (logged in), then
   /healthz again; p50 and p99 latency of each, and the ratios;
4. 30 more learners check in one after another (no queue): the service time, beside
   sequential /healthz requests;
5. a staff device posts one batch of 1,000 card scans, then the same batch again (all
   duplicates): seconds each, and as a ratio to one /healthz request;
6. the database is checked: every learner recorded once, the batch's 1,000 scans once;
7. in-process, the 30 learners check in again and the same 1,000 scans are recorded, on
   two more classes, once with the signal receivers muted and once live: how much is
   attendance's own work and how much the credit bank's receivers (each recorded
   attendance posts a ledger entry, as in production), and the SQL statements one
   check-in sends (counted with SQLAlchemy events).

    .venv/bin/python benchmarks/checkin.py [--learners 300] [--spread 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "checkin-benchmark"
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
BATCH = 1000
SEQUENTIAL = 30


def admin_execute(options, *statements: str) -> None:
    import psycopg

    with psycopg.connect(
        host=options.pg_host, port=options.pg_port, user=options.pg_user, dbname="postgres",
        autocommit=True,
    ) as connection:  # fmt: skip
        for statement in statements:
            connection.execute(statement)


def signing_key_file(instance: Path) -> Path:
    """The Ed25519 key every node of a scaled deployment shares (required to start)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = instance / "signing_key.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def server_environ(options, instance: Path) -> dict:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("LMS_")}
    environ.update(
        {
            "LMS_DATABASE_URL": f"postgresql://{options.pg_user}@{options.pg_host}:"
            f"{options.pg_port}/{options.database}",
            "LMS_INSTANCE_PATH": str(instance),
            "LMS_SECRET_KEY": SECRET,
            "LMS_SIGNING_KEY_FILE": str(signing_key_file(instance)),
            "LMS_EMBEDDED_WORKER": "0",
        }
    )
    return environ


def venv_tool(name: str) -> list[str]:
    tool = Path(sys.executable).parent / name
    return [str(tool)] if tool.exists() else [sys.executable, "-m", name]


def migrate(environ: dict) -> None:
    done = subprocess.run(
        [*venv_tool("flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"flask db upgrade failed:\n{done.stdout}\n{done.stderr}")


def populate(app, learners: int) -> dict:
    """Staff, a school, a class in progress, QR learners and card learners signed up."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User, UserRole
    from lms.accounts.services import NewUser, create_user, record_consent, upsert_town
    from lms.attendance import services, tokens
    from lms.attendance.models import LearningCard, Signup
    from lms.extensions import db
    from lms.timeutil import utcnow

    with app.app_context():
        town = upsert_town("990000002", "签到基准街道", 100_000)
        staff = create_user(
            NewUser("bench-staff", "基准工作人员", "bench-password", town.code, roles=("staff",)),
            actor=None,
        )
        school = services.save_school(
            None,
            services.SchoolSettings("基准社区学校", town.id, staff_usernames=("bench-staff",)),
            actor=None,
        )
        start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        class_session = services.save_session(
            school,
            None,
            services.SessionSettings("开学第一课", start, start + timedelta(hours=2)),
            actor=staff,
        )
        now, cheap = utcnow(), generate_password_hash("unused", method="pbkdf2:sha256:1")
        record_consent(staff)
        version = staff.privacy_version
        ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {"username": f"bench{n:05d}", "display_name": f"学员{n}", "password_hash": cheap,
                 "session_token": uuid.uuid4().hex, "town_id": town.id, "created_at": now,
                 "privacy_version": version, "privacy_accepted_at": now}
                for n in range(learners + SEQUENTIAL + BATCH)
            ],
        ).all()  # fmt: skip
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        db.session.execute(
            insert(Signup),
            [
                {"class_session_id": class_session.id, "learner_id": i, "signed_up_at": now}
                for i in ids
            ],
        )
        # A lecture hall: more seats than the form allows (sign-ups are inserted directly).
        class_session.capacity = class_session.seats_taken = len(ids)
        card_tokens = [tokens.new_card_token() for _ in range(BATCH)]
        db.session.execute(
            insert(LearningCard),
            [
                {"learner_id": i, "number": tokens.card_number(token), "token": token,
                 "issued_at": now, "issue_count": 1}
                for i, token in zip(ids[-BATCH:], card_tokens, strict=True)
            ],
        )  # fmt: skip
        # The credit bank makes its default rule on first use; make it now, not in the
        # burst (concurrent first uses race for it, which is the credit bank's to fix).
        from lms.credits.ledger import current_rule

        current_rule()
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        sessions = {
            row.id: row.session_token
            for row in db.session.execute(db.select(User.id, User.session_token))
        }
        return {
            "class_session_id": class_session.id,
            "staff_cookie": serializer.dumps({"_user_id": staff.get_id(), "_fresh": True}),
            "learner_cookies": [
                serializer.dumps({"_user_id": f"{i}:{sessions[i]}", "_fresh": True})
                for i in ids[: learners + SEQUENTIAL]
            ],
            "card_payloads": [tokens.card_payload(token) for token in card_tokens],
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(environ: dict, options, port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*venv_tool("gunicorn"), "--no-control-socket",
             "-w", str(options.workers), "-b", f"127.0.0.1:{port}",
             "--worker-class", "gthread", "--threads", str(options.threads),
             "--timeout", "300", "--backlog", "2048", "wsgi:app"],
            cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn was started in
            process.wait(timeout=10)


def request(port, method, path, *, cookie=None, body=None, headers=None):
    """(status, seconds, body text, Set-Cookie) of one request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = f"session={cookie}"
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=all_headers)
    reply = connection.getresponse()
    text = reply.read().decode("utf-8", "replace")
    elapsed = time.perf_counter() - started
    connection.close()
    return reply.status, elapsed, text, reply.getheader("Set-Cookie")


def burst(port, paths_and_cookies, spread: float, outcome=lambda status, text: "ok"):
    """Send each request at its own moment, evenly over ``spread`` seconds (a path may be
    a function called at that moment); (latencies, count of each outcome)."""
    count = len(paths_and_cookies)
    latencies, failures, outcomes = [None] * count, [], {}
    begin = time.perf_counter() + 0.2

    def one(index, path, cookie):
        time.sleep(max(0.0, begin + spread * index / count - time.perf_counter()))
        try:
            path = path() if callable(path) else path
            status, seconds, text, _ = request(port, "GET", path, cookie=cookie)
        except OSError as error:
            failures.append(repr(error))
            return
        latencies[index] = seconds
        if status >= 500 or status == 429:
            failures.append(f"{status}: {text[:200]}")
        label = outcome(status, text)
        outcomes[label] = outcomes.get(label, 0) + 1

    threads = [
        threading.Thread(target=one, args=(index, path, cookie))
        for index, (path, cookie) in enumerate(paths_and_cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    return [seconds for seconds in latencies if seconds is not None], outcomes


def percentiles(latencies) -> dict:
    ordered = sorted(latencies)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": 1000 * statistics.median(ordered), "p99_ms": 1000 * cut[98]}


def staff_session(port, cookie) -> tuple[str, str]:
    """The staff's session cookie (now holding a CSRF secret) and the CSRF token."""
    status, _, text, set_cookie = request(port, "GET", "/", cookie=cookie)
    assert status == 200
    if set_cookie:
        cookie = set_cookie.split(";", 1)[0].split("=", 1)[1]
    return cookie, CSRF_META.search(text).group(1)


def post_batch(port, class_session_id, cookie, csrf, payloads, nonces):
    from lms.timeutil import utcnow

    now = utcnow()
    body = {
        "device_now": now.isoformat(),
        "scans": [
            {
                "nonce": nonce,
                "payload": payload,
                "scanned_at": (now - timedelta(seconds=30)).isoformat(),
            }
            for nonce, payload in zip(nonces, payloads, strict=True)
        ],
    }
    status, seconds, text, _ = request(
        port, "POST", f"/api/v1/class-sessions/{class_session_id}/scans", cookie=cookie,
        body=json.dumps(body), headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
    )  # fmt: skip
    if status != 200:
        raise SystemExit(f"batch answered {status}: {text[:300]}")
    return seconds, [result["status"] for result in json.loads(text)["results"]]


def attribute_to_receivers(app, seeded, learners: int) -> dict:
    """In-process seconds for one QR check-in (median of 30) and for the 1,000 scans, on
    fresh classes, with the signal receivers muted and live."""
    from contextlib import ExitStack

    from lms.accounts.models import User
    from lms.attendance import scans, services, tokens
    from lms.attendance.models import ClassSession
    from lms.attendance.signals import attendance_corrected, attendance_recorded
    from lms.extensions import db
    from lms.timeutil import utcnow

    key, figures = tokens.derive_key(SECRET), {}
    for label in ("muted", "live"):
        with ExitStack() as stack:
            if label == "muted":
                stack.enter_context(attendance_recorded.muted())
                stack.enter_context(attendance_corrected.muted())
            with app.app_context():
                model = db.session.get(ClassSession, seeded["class_session_id"])
                settings = services.SessionSettings(
                    f"归因{label}", model.starts_at, model.ends_at, signup_required=False
                )
                staff = db.session.scalar(db.select(User).filter_by(username="bench-staff"))
                class_session = services.save_session(model.school, None, settings, actor=staff)
                db.session.commit()
                class_session_id = class_session.id
            client, singles, statements = app.test_client(), [], []
            for cookie in seeded["learner_cookies"][learners:]:
                client.set_cookie("session", cookie)
                token = tokens.make_rotating_token(key, class_session_id, "checkin", utcnow())
                with counting_statements(app) as counted:
                    started = time.perf_counter()
                    reply = client.get(f"/attend/{token}")
                    singles.append(time.perf_counter() - started)
                statements.append(len(counted))
                assert b'data-outcome="recorded"' in reply.data
            figures[f"checkin_{label}_statements"] = statistics.median(statements)
            with app.app_context():
                class_session = db.session.get(ClassSession, class_session_id)
                staff = db.session.scalar(db.select(User).filter_by(username="bench-staff"))
                now = utcnow()
                items = [
                    scans.ScanItem(
                        uuid.uuid4().hex, payload, "checkin", now - timedelta(seconds=30)
                    )
                    for payload in seeded["card_payloads"]
                ]
                started = time.perf_counter()
                results = scans.record_scans(class_session, now, items, actor=staff)
                db.session.commit()
                figures[f"batch_{label}_s"] = time.perf_counter() - started
                assert {result["status"] for result in results} == {"recorded"}
                db.engine.dispose()
            figures[f"checkin_{label}_ms"] = 1000 * statistics.median(singles)
    for name in ("batch", "checkin"):
        unit = "s" if name == "batch" else "ms"
        muted, live = figures[f"{name}_muted_{unit}"], figures[f"{name}_live_{unit}"]
        figures[f"{name}_receivers_share"] = 1 - muted / live
    return figures


@contextmanager
def counting_statements(app):
    """The SQL statements sent while inside (a list, filled as they are sent)."""
    from sqlalchemy import event

    from lms.extensions import db

    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", before)


def check_database(app, class_session_id: int, expected: int) -> dict:
    from sqlalchemy import func, select

    from lms.attendance.models import Attendance, Scan
    from lms.credits.ledger import learners_with_ledgers, verify_chain
    from lms.credits.models import LedgerEntry
    from lms.extensions import db

    with app.app_context():
        attendances = db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.class_session_id == class_session_id)
        )
        scans = db.session.scalar(select(func.count(Scan.id)))
        # Every recorded attendance posted once, and every learner's chain whole.
        entries = db.session.scalar(
            select(func.count(LedgerEntry.id)).where(
                LedgerEntry.source_type == "attendance",
                LedgerEntry.source_id == str(class_session_id),
            )
        )
        chains = learners_with_ledgers()
        broken = [learner for learner in chains if verify_chain(learner) is not None]
        db.engine.dispose()
    assert attendances == expected, (attendances, expected)
    assert scans == BATCH, scans
    assert entries == expected, (entries, expected)
    assert not broken, f"{len(broken)} ledger chains do not verify, e.g. {broken[:3]}"
    return {
        "attendances": attendances,
        "scans": scans,
        "ledger_entries": entries,
        "chains_verified": len(chains),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--spread", type=float, default=3.0, help="seconds the burst spans")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", default="lms_bench_checkin")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="30 learners: does it all work?")
    options = parser.parse_args()
    if options.smoke:
        options.learners, options.spread = 30, 1.0
    if options.database in ("test", "postgres"):
        parser.error("use a database of the benchmark's own")

    admin_execute(
        options,
        f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)',
        f'CREATE DATABASE "{options.database}"',
    )
    instance = Path(tempfile.mkdtemp(prefix="lms-bench-checkin-"))
    environ = server_environ(options, instance)
    migrate(environ)
    from lms import create_app

    app = create_app(environ=environ)
    seeded = populate(app, options.learners)
    port = free_port()
    server = start_gunicorn(environ, options, port, instance / "gunicorn.log")
    try:
        results = run(port, seeded, options)
        results["database"] = check_database(
            app,
            seeded["class_session_id"],
            results["checkin_outcomes"].get("recorded", 0) + SEQUENTIAL + BATCH,
        )
        results["in_process"] = attribute_to_receivers(app, seeded, options.learners)
    finally:
        stop_gunicorn(server)
        if not options.keep:
            admin_execute(options, f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')
    report(results, options)


def run(port, seeded, options) -> dict:
    from lms.attendance import tokens
    from lms.timeutil import utcnow

    class_session_id, learners = seeded["class_session_id"], options.learners
    key = tokens.derive_key(SECRET)
    load_before = " ".join(f"{value:.1f}" for value in os.getloadavg())

    def qr_path():
        """The URL a phone reads off the staff screen at this moment."""
        return f"/attend/{tokens.make_rotating_token(key, class_session_id, 'checkin', utcnow())}"

    def checkin_outcome(status, text):
        found = re.search(r'data-outcome="(\w+)" data-reason="(\w*)"', text)
        return "/".join(found.groups()).rstrip("/") if found else str(status)

    burst(port, [("/healthz", None)] * 40, 0.5)  # warm every worker up
    burst(port, [("/readyz", None)] * 40, 0.5)
    staff_cookie, csrf = staff_session(port, seeded["staff_cookie"])
    healthz, _ = burst(port, [("/healthz", None)] * learners, options.spread)
    readyz, _ = burst(port, [("/readyz", None)] * learners, options.spread)
    cookies = seeded["learner_cookies"]
    checkins, outcomes = burst(
        port, [(qr_path, cookie) for cookie in cookies[:learners]], options.spread, checkin_outcome
    )
    more_healthz, _ = burst(port, [("/healthz", None)] * learners, options.spread)
    healthz += more_healthz
    single = [request(port, "GET", "/healthz")[1] for _ in range(50)]
    sequential = []
    for cookie in cookies[learners:]:
        status, seconds, text, _ = request(port, "GET", qr_path(), cookie=cookie)
        assert checkin_outcome(status, text) == "recorded", (status, text[:200])
        sequential.append(seconds)
    nonces = [uuid.uuid4().hex for _ in range(BATCH)]
    first, statuses = post_batch(
        port, class_session_id, staff_cookie, csrf, seeded["card_payloads"], nonces
    )
    assert set(statuses) == {"recorded"}, set(statuses)
    again, statuses = post_batch(
        port, class_session_id, staff_cookie, csrf, seeded["card_payloads"], nonces
    )
    assert set(statuses) == {"duplicate"}, set(statuses)
    one_healthz = statistics.median(single)
    return {
        "learners": learners,
        "load_before": load_before,
        "spread_s": options.spread,
        "workers": options.workers,
        "threads": options.threads,
        "healthz": percentiles(healthz),
        "readyz": percentiles(readyz),
        "checkin": percentiles(checkins),
        "checkin_outcomes": outcomes,
        "healthz_single_ms": 1000 * one_healthz,
        "checkin_single_ms": 1000 * statistics.median(sequential),
        "checkin_single_over_healthz_single": statistics.median(sequential) / one_healthz,
        "batch_s": first,
        "batch_again_s": again,
        "batch_per_scan_ms": 1000 * first / BATCH,
        "batch_over_one_healthz": first / one_healthz,
        "batch_again_over_one_healthz": again / one_healthz,
    }


def report(results: dict, options) -> None:
    check, health, ready = results["checkin"], results["healthz"], results["readyz"]
    results["ratios"] = {
        "checkin_p50_over_healthz_p50": check["p50_ms"] / health["p50_ms"],
        "checkin_p99_over_healthz_p99": check["p99_ms"] / health["p99_ms"],
        "checkin_p50_over_readyz_p50": check["p50_ms"] / ready["p50_ms"],
        "checkin_p99_over_readyz_p99": check["p99_ms"] / ready["p99_ms"],
    }
    if options.json:
        results["aims"] = [{"aim": measured, "met": met} for measured, met in aims(results)]
        print(json.dumps(results, indent=2))
        return
    print(
        f"{results['learners']} learners over {results['spread_s']} s, "
        f"gunicorn {results['workers']} gthread workers × {results['threads']} threads, "
        f"PostgreSQL, {os.cpu_count()} cores (load average before: {results['load_before']})"
    )
    for name in ("healthz", "readyz", "checkin"):
        figures = results[name]
        print(f"  {name:<8} p50 {figures['p50_ms']:8.1f} ms   p99 {figures['p99_ms']:8.1f} ms")
    print(f"  check-in outcomes: {results['checkin_outcomes']}")
    for name, value in results["ratios"].items():
        print(f"  {name:<32} {value:6.2f}")
    print(
        f"  batch of {BATCH} scans: {results['batch_s']:.2f} s "
        f"({results['batch_per_scan_ms']:.2f} ms a scan, "
        f"{results['batch_over_one_healthz']:.0f}× one /healthz of "
        f"{results['healthz_single_ms']:.1f} ms); sent again (all duplicates): "
        f"{results['batch_again_s']:.2f} s ({results['batch_again_over_one_healthz']:.0f}×)"
    )
    print(
        f"  one check-in at a time: {results['checkin_single_ms']:.1f} ms "
        f"({results['checkin_single_over_healthz_single']:.1f}× one /healthz)"
    )
    split = results["in_process"]
    print(
        f"  in-process, receivers muted / live: one check-in {split['checkin_muted_ms']:.1f} / "
        f"{split['checkin_live_ms']:.1f} ms ({100 * split['checkin_receivers_share']:.0f} % in "
        f"the credit bank's receivers); the batch {split['batch_muted_s']:.2f} / "
        f"{split['batch_live_s']:.2f} s ({100 * split['batch_receivers_share']:.0f} %)"
    )
    print(
        f"  SQL statements of one check-in (in-process, median): "
        f"{split['checkin_muted_statements']:.0f} with the receivers muted, "
        f"{split['checkin_live_statements']:.0f} live"
    )
    print(f"  database: {results['database']}")
    print("\n".join(aims_text(results)))


def aims(results: dict) -> list[tuple[str, bool | None]]:
    """Issue #20's aims for check-ins and scan batches, beside what this run measured:
    (what was measured against which aim, met or not; None for the correctness check)."""
    p99, single = results["checkin"]["p99_ms"], results["checkin_single_over_healthz_single"]
    batch, again = results["batch_s"], results["batch_again_s"]
    database = results["database"]
    return [
        (f"a batch of {BATCH} staff scans: {batch:.2f} s (aim < 1 s)", batch < 1),
        (f"the same batch resent: {again:.2f} s (aim < 0.3 s)", again < 0.3),
        (
            f"{results['learners']} self check-ins within {results['spread_s']} s: "
            f"p99 {p99:.0f} ms (aim < 500 ms)",
            p99 < 500,
        ),
        (f"a single check-in: {single:.1f}x one /healthz (aim <= 5x)", single <= 5),
        (
            f"correctness: {database['ledger_entries']} ledger entries for as many "
            f"attendances, {database['chains_verified']} chains verify",
            None,
        ),
    ]


def aims_text(results: dict) -> list[str]:
    lines = ["aims (issue #20):"]
    for measured, met in aims(results):
        lines.append(f"  {measured}" + ("" if met is None else f": {'met' if met else 'NOT met'}"))
    return lines


if __name__ == "__main__":
    main()
