"""People's words beside the ledger's chain: the chain hashes a salted digest of an
entry's reason, the words live in ledger_texts, and erasure blanks them while the chain
keeps verifying."""

import hashlib
import json
import os
from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from lms.accounts.models import User
from lms.credits.ledger import Posting, post, verify_chain
from lms.credits.models import LedgerEntry, LedgerText
from lms.credits.privacy import erase
from lms.extensions import db
from tests.apps import TEST_DATABASE_URL, build_app


def test_an_entrys_reason_lives_beside_the_chain(app, make_user):
    learner = make_user()
    with app.app_context():
        entry = post(Posting(learner.id, "adjustment", "a1", 1.0, 1.0, None, reason="王芳的病假"))
        db.session.commit()
        assert entry.reason == "王芳的病假"
        assert len(entry.reason_digest) == 64
        assert "王芳" not in json.dumps(
            {c.name: str(getattr(entry, c.key)) for c in LedgerEntry.__table__.columns}
        )


def test_erasing_the_words_keeps_the_chain_verifying(app, make_user):
    learner = make_user()
    with app.app_context():
        for number in range(3):
            post(Posting(learner.id, "adjustment", f"a{number}", 1.0, 1.0, None, reason="私事"))
        db.session.commit()
        erase(db.session.get(User, learner.id))
        db.session.commit()
        texts = db.session.scalars(select(LedgerText.text)).all()
        assert texts and all(value == "" for value in texts)
        assert verify_chain(learner.id) is None
    result = app.test_cli_runner().invoke(args=["lms", "verify-ledger"])
    assert result.exit_code == 0, result.output


def test_changed_words_do_not_verify(app, make_user):
    learner = make_user()
    with app.app_context():
        post(Posting(learner.id, "adjustment", "a1", 1.0, 1.0, None, reason="原因"))
        db.session.commit()
        db.session.execute(text("UPDATE ledger_texts SET text = '别的原因'"))
        db.session.commit()
        problem = verify_chain(learner.id)
        assert problem is not None and "reason" in problem.problem


# The migration: entries hashed over their words before b2 keep verifying after it.


def _old_hash(fields: dict, prev_hash: str) -> str:
    content = {key: fields[key] for key in sorted(fields)}
    content["prev_hash"] = prev_hash
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database of its own (PostgreSQL when LMS_TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL run only")
    server = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    name = f"{server.database}_b2_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_b2_migration_moves_old_words_out_and_old_chains_verify(empty_database, tmp_path):
    url = empty_database
    app = build_app(url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="b1_attendance_hardening")
        db.engine.dispose()
    engine = create_engine(url)
    prev = "0" * 64
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, session_token,"
                " disabled, elder_mode, created_at)"
                " VALUES (1, 'old', '老学员', 'x', 't', :no, :no, :at)"
            ),
            {"no": False, "at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        for seq, reason in enumerate(["书法班结业", "", "daily_cap: 2 credits cut to 1"], 1):
            created = datetime(2026, 1, seq, 8, 0, tzinfo=UTC)
            fields = {
                "learner_id": 1,
                "seq": seq,
                "source_type": "adjustment",
                "source_id": f"s{seq}",
                "revision": 1,
                "is_reversal": False,
                "hours_milli": 1000,
                "credits_milli": 1000,
                "rule_version": None,
                "reason": reason,
                "created_at": created.isoformat(timespec="microseconds"),
                "actor_id": None,
            }
            digest = _old_hash(fields, prev)
            connection.execute(
                text(
                    "INSERT INTO ledger_entries (learner_id, seq, source_type, source_id,"
                    " revision, is_reversal, hours_milli, credits_milli, rule_version, reason,"
                    " created_at, local_day, actor_id, prev_hash, entry_hash) VALUES"
                    " (1, :seq, 'adjustment', :source, 1, :no, 1000, 1000, NULL, :reason,"
                    " :created, :day, NULL, :prev, :hash)"
                ),
                {
                    "seq": seq,
                    "source": f"s{seq}",
                    "reason": reason,
                    "no": False,
                    "created": created,
                    "day": created.date(),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
        connection.execute(text("INSERT INTO ledger_heads VALUES (1, 3, :hash)"), {"hash": prev})
    engine.dispose()
    with app.app_context():
        upgrade()
        entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert [e.reason for e in entries] == ["书法班结业", "", "daily_cap: 2 credits cut to 1"]
        assert entries[2].legacy_hash == prev
        assert verify_chain(1) is None
        old_hashes = [e.legacy_hash for e in entries]
        db.session.remove()
        # Down again: the words go back into the entries and the old hashes come back.
        downgrade(revision="b1_attendance_hardening")
        assert list(
            db.session.execute(text("SELECT reason, entry_hash FROM ledger_entries ORDER BY seq"))
        ) == list(zip(["书法班结业", "", "daily_cap: 2 credits cut to 1"], old_hashes, strict=True))
        assert db.session.execute(text("SELECT last_hash FROM ledger_heads")).scalar() == prev
        db.session.remove()
        upgrade()
        assert verify_chain(1) is None
        erase(db.session.get(User, 1))
        db.session.commit()
        assert verify_chain(1) is None
        assert "书法班" not in str(db.session.execute(text("SELECT * FROM ledger_entries")).all())
        db.session.remove()
        db.engine.dispose()
