"""The benchmarks still run (their --smoke modes: tiny inputs, no figures checked)."""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def run(script: str, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--smoke", *args],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def postgres_options(database: str) -> list[str]:
    """A PostgreSQL benchmark's own database on the test server."""
    from sqlalchemy.engine import make_url

    server = make_url(os.environ["LMS_TEST_DATABASE_URL"])
    return [
        *("--database", database),
        *("--pg-host", server.host or "127.0.0.1"),
        *("--pg-port", str(server.port or 5432)),
        *("--pg-user", server.username or "postgres"),
    ]


def test_transcode_benchmark_compares_the_fast_path_with_the_full_ladder():
    figures = json.loads(run("transcode.py", "--json"))
    assert figures["fast_path_copied"] == ["720p", "audio"]
    assert figures["f_full_over_fast_ratio"] > 0


def test_upload_benchmark_measures_local_and_s3(tmp_path):
    output = run("upload.py", "--dir", str(tmp_path))
    results = json.loads(output[output.index("[") :])
    measured = {(r["storage"], r["server"]) for r in results}
    expected = {("local", "werkzeug"), ("local", "werkzeug×2+join"), ("local", "bare")}
    assert expected | {("s3", "werkzeug")} <= measured
    assert all(r["ratio_to_baseline"] > 0 and r["server_peak_rss_mib"] > 0 for r in results)
    assert "aim, 16 MiB local werkzeug: peak RSS < 150 MiB:" in output


@pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL"), reason="the check-in benchmark needs PostgreSQL"
)
def test_checkin_benchmark_prints_its_aims_and_checks_the_ledger():
    figures = json.loads(run("checkin.py", "--json", *postgres_options("lms_bench_checkin_smoke")))
    assert [aim["met"] is None for aim in figures["aims"]] == [False] * 4 + [True]
    database = figures["database"]
    assert database["ledger_entries"] == database["attendances"] == database["chains_verified"]
    assert figures["in_process"]["checkin_live_statements"] > 0


@pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL"), reason="the dashboard benchmark needs PostgreSQL"
)
def test_dashboard_benchmark_prints_the_aims_for_the_last_365_days_and_the_year():
    output = run("dashboard.py", *postgres_options("lms_bench_dashboard_smoke"))
    year = (date.today() - timedelta(days=1)).year
    for label in ("last 365 days", f"year {year}"):
        assert f"district, {label}:" in output
        assert f"one 镇街, {label}:" in output
        assert f">= 10x faster than the raw rows for every part ({label}):" in output
