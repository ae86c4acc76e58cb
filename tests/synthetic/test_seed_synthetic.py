"""seed-synthetic: reproducible from its seed, bulk rows that keep every rule the app's
own writes keep (chained ledgers, heartbeats adding up to the daily totals), and it
stays away from databases with real learners."""

from datetime import date
from unittest import mock

import pytest
from sqlalchemy import func, select, text

from lms.extensions import db
from lms.reports import queries, rollup
from lms.reports.periods import Period
from tests.apps import empty_all_tables

ARGS = ["--learners", "30", "--days", "40", "--until", "2025-06-30", "--heartbeat-days", "2"]
SEEDED = Period(date(2025, 5, 22), date(2025, 6, 30))


def seed(app, *extra):
    return app.test_cli_runner().invoke(args=["lms", "seed-synthetic", *ARGS, *extra])


def fingerprint(app) -> dict:
    """What a synthetic district is made of, independent of row order."""
    queries_by_table = {
        "users": "SELECT u.username, u.display_name, u.birth_year, t.code, u.created_at "
        "FROM users u LEFT JOIN towns t ON t.id = u.town_id",
        "daily_study": "SELECT u.username, d.day, d.credited_seconds "
        "FROM daily_study d JOIN users u ON u.id = d.learner_id",
        "ledger": "SELECT u.username, e.seq, e.entry_hash "
        "FROM ledger_entries e JOIN users u ON u.id = e.learner_id",
        "attendances": "SELECT u.username, s.starts_at, a.status, a.hours FROM attendances a "
        "JOIN users u ON u.id = a.learner_id JOIN class_sessions s ON s.id = a.class_session_id",
        "enrolments": "SELECT u.username, c.title, e.enrolled_at, e.left_at FROM enrolments e "
        "JOIN users u ON u.id = e.learner_id JOIN courses c ON c.id = e.course_id",
        "heartbeats": "SELECT count(*), sum(credited_seconds) FROM heartbeats",
    }
    with app.app_context():
        return {
            name: sorted(
                tuple(str(value) for value in row) for row in db.session.execute(text(sql))
            )
            for name, sql in queries_by_table.items()
        }


def test_the_same_seed_gives_the_same_district(app):
    result = seed(app, "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "synthetic learners" in result.output and "ledger_entries" in result.output
    first = fingerprint(app)
    assert len(first["users"]) == 31  # 30 learners and the synthetic teacher
    assert first["daily_study"] and first["ledger"] and first["attendances"]
    with app.app_context():
        empty_all_tables()
    assert seed(app, "--seed", "7").exit_code == 0
    assert fingerprint(app) == first
    with app.app_context():
        empty_all_tables()
    assert seed(app, "--seed", "8").exit_code == 0
    assert fingerprint(app)["daily_study"] != first["daily_study"]


def test_synthetic_ledgers_verify_and_heartbeats_add_up(app):
    assert seed(app).exit_code == 0
    verified = app.test_cli_runner().invoke(args=["lms", "verify-ledger"])
    assert verified.exit_code == 0, verified.output
    assert ", 0 broken" in verified.output
    with app.app_context():
        from lms.study.models import DailyStudy, Heartbeat, PlaySession

        beats = db.session.execute(
            select(PlaySession.learner_id, func.sum(Heartbeat.credited_seconds))
            .join(Heartbeat, Heartbeat.play_session_id == PlaySession.id)
            .group_by(PlaySession.learner_id)
        ).all()
        days = dict(
            db.session.execute(
                select(DailyStudy.learner_id, func.sum(DailyStudy.credited_seconds))
                .where(DailyStudy.day >= date(2025, 6, 29))
                .group_by(DailyStudy.learner_id)
            ).all()
        )
        assert beats and {learner: seconds for learner, seconds in beats} == days


def test_the_dashboard_reads_a_synthetic_district(app):
    assert seed(app).exit_code == 0
    with app.app_context():
        rolled = queries.breakdown(SEEDED)
        assert rolled.total.registered == 30
        assert 0 < rolled.total.active <= 30
        assert rolled.total.credits_milli > 0 and rolled.total.sessions_held > 0
        with mock.patch.object(queries, "read_state", return_value=rollup.RollupState(None, 0)):
            assert queries.breakdown(SEEDED) == rolled  # the daily totals agree


def test_it_refuses_a_database_with_real_learners_unless_forced(app, make_user):
    make_user("learner")
    refused = seed(app)
    assert refused.exit_code != 0
    assert "not synthetic" in refused.output and "--force" in refused.output
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM daily_study")) == 0
    assert seed(app, "--force").exit_code == 0
    again = seed(app, "--force")
    assert again.exit_code != 0 and "already holds a synthetic district" in again.output


@pytest.mark.parametrize("until", ["2999-01-01", "yesterday"])
def test_the_last_day_is_in_the_past(app, until):
    result = app.test_cli_runner().invoke(
        args=["lms", "seed-synthetic", "--learners", "3", "--until", until]
    )
    assert result.exit_code != 0
