"""The ledger: hash chain, tamper evidence, idempotence, caps, rule versions."""

import threading

import pytest
from sqlalchemy import text

from lms.accounts.models import User
from lms.credits import services
from lms.credits.ledger import Posting, post, verify_chain
from lms.credits.models import LedgerEntry
from lms.extensions import db
from tests.apps import TEST_DATABASE_URL


def posting(learner_id, source_id, hours=1.0, credits=1.0, **extra):
    return Posting(
        learner_id, "adjustment", source_id, hours, credits, None, reason="test", **extra
    )


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=["lms", "verify-ledger", *args])


def chain(app, learner_id, count):
    with app.app_context():
        for number in range(count):
            post(posting(learner_id, f"s{number}", hours=number + 1))
        db.session.commit()


def test_a_whole_chain_verifies(app, make_user):
    learner = make_user()
    chain(app, learner.id, 3)
    with app.app_context():
        assert verify_chain(learner.id) is None
    result = run_cli(app)
    assert result.exit_code == 0 and "0 broken" in result.output


def test_changing_an_entry_behind_the_apps_back_is_detected(app, make_user):
    learner = make_user()
    chain(app, learner.id, 3)
    with app.app_context():
        db.session.execute(text("UPDATE ledger_entries SET hours_milli = 99000 WHERE seq = 2"))
        db.session.commit()
    result = run_cli(app, "--learner", str(learner.id))
    assert result.exit_code == 1 and "seq 2" in result.output


def test_deleting_the_last_entry_is_detected(app, make_user):
    learner = make_user()
    chain(app, learner.id, 3)
    with app.app_context():
        db.session.execute(text("DELETE FROM ledger_entries WHERE seq = 3"))
        db.session.commit()
    result = run_cli(app)
    assert result.exit_code == 1 and "head" in result.output


def test_reordering_two_entries_is_detected(app, make_user):
    learner = make_user()
    chain(app, learner.id, 3)
    with app.app_context():
        db.session.execute(text("UPDATE ledger_entries SET seq = 100 WHERE seq = 1"))
        db.session.execute(text("UPDATE ledger_entries SET seq = 1 WHERE seq = 2"))
        db.session.execute(text("UPDATE ledger_entries SET seq = 2 WHERE seq = 100"))
        db.session.commit()
    assert run_cli(app).exit_code == 1


def test_posting_the_same_source_twice_posts_once(app, make_user):
    learner = make_user()
    with app.app_context():
        assert post(posting(learner.id, "same")) is not None
        assert post(posting(learner.id, "same")) is None
        assert post(posting(learner.id, "same", revision=2)) is not None
        db.session.commit()
        assert db.session.query(LedgerEntry).count() == 2


def test_a_posting_past_the_daily_cap_is_cut_with_its_reason(app, make_user):
    learner = make_user()
    with app.app_context():
        services.change_rules(
            services.RuleSettings(2.0, 1.0, daily_cap=5.0, yearly_cap=100.0), actor=None
        )
        first = services._post_study(learner.id, "lesson", "1", hours=2.0)  # 4 credits
        second = services._post_study(learner.id, "lesson", "2", hours=2.0)  # 4 wanted, 1 left
        db.session.commit()
        assert first.credits == 4.0 and first.reason == ""
        assert second.hours == 2.0 and second.credits == 1.0
        assert "daily_cap" in second.reason


def test_entries_carry_the_rule_version_they_were_posted_under(app, make_user):
    learner = make_user()
    with app.app_context():
        before = services._post_study(learner.id, "lesson", "1", hours=1.0)
        services.change_rules(services.RuleSettings(3.0, 1.0, 100.0, 1000.0), actor=None)
        after = services._post_study(learner.id, "lesson", "2", hours=1.0)
        db.session.commit()
        assert (before.rule_version, before.credits) == (1, 1.0)
        assert (after.rule_version, after.credits) == (2, 3.0)


def test_a_reversal_is_a_new_entry_and_the_original_stays(app, make_user):
    learner = make_user()
    with app.app_context():
        original = post(posting(learner.id, "x", hours=2.0, credits=2.0))
        reversal = services.reverse(original, reason="mistake", actor_id=None)
        db.session.commit()
        assert (reversal.hours, reversal.credits, reversal.is_reversal) == (-2.0, -2.0, True)
        assert db.session.get(LedgerEntry, original.id).hours == 2.0
        assert services.reverse(original, reason="again", actor_id=None) is None
        assert verify_chain(learner.id) is None


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for real concurrency")
def test_concurrent_postings_for_one_learner_keep_one_chain(app, make_user):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL run only")
    learner = make_user()
    barrier = threading.Barrier(8)
    errors = []

    def worker(number):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                for round_number in range(5):
                    post(posting(learner.id, f"w{number}-{round_number}"))
                    db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert db.session.query(LedgerEntry).filter_by(learner_id=learner.id).count() == 40
        assert verify_chain(learner.id) is None
        assert db.session.get(User, learner.id) is not None
