"""People's words beside the ledger's hash chain, not in it.

An entry's reason moves to ledger_texts (with a random salt); the entry keeps a salted
digest of it, and the hash covers the digest instead of the words, so erasure can blank
the words and the chain still verifies. Entries hashed over their words before this
revision are re-sealed here: each learner's chain is checked under the old rule first,
and only a chain that verifies gets new hashes (the old hash stays on the entry as
legacy_hash). A chain that was already broken keeps its hashes and stays reported as
broken by ``flask lms verify-ledger``. The hashing rules are copied here, not imported,
so this revision means the same whatever the code does later.

Revision ID: b2_private_ledger_text
Revises: b1_attendance_hardening
Create Date: 2026-12-06 03:5x UTC

"""

import hashlib
import json
import secrets
from itertools import groupby

import sqlalchemy as sa
from alembic import op

import lms.timeutil

# revision identifiers, used by Alembic.
revision = "b2_private_ledger_text"
down_revision = "b1_attendance_hardening"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FIELDS = [
    "learner_id",
    "seq",
    "source_type",
    "source_id",
    "revision",
    "is_reversal",
    "hours_milli",
    "credits_milli",
    "rule_version",
    "created_at",
    "actor_id",
]


def _hash(fields: dict, prev_hash: str) -> str:
    content = {key: fields[key] for key in sorted(fields)}
    content["prev_hash"] = prev_hash
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _reason_digest(text: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{text}".encode()).hexdigest() if text else ""


def _content(row, **words) -> dict:
    fields = {name: getattr(row, name) for name in FIELDS}
    fields["is_reversal"] = bool(fields["is_reversal"])
    fields["created_at"] = row.created_at.isoformat(timespec="microseconds")
    return {**fields, **words}


def _entries(*extra):
    return sa.table(
        "ledger_entries",
        sa.column("id", sa.Integer),
        sa.column("learner_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("source_type", sa.String),
        sa.column("source_id", sa.String),
        sa.column("revision", sa.Integer),
        sa.column("is_reversal", sa.Boolean),
        sa.column("hours_milli", sa.BigInteger),
        sa.column("credits_milli", sa.BigInteger),
        sa.column("rule_version", sa.Integer),
        sa.column("created_at", lms.timeutil.UTCDateTime()),
        sa.column("actor_id", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("entry_hash", sa.String),
        *extra,
    )


HEADS = sa.table(
    "ledger_heads",
    sa.column("learner_id", sa.Integer),
    sa.column("last_seq", sa.Integer),
    sa.column("last_hash", sa.String),
)
TEXTS = sa.table(
    "ledger_texts",
    sa.column("id", sa.Integer),
    sa.column("learner_id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("salt", sa.String),
    sa.column("erased_at", lms.timeutil.UTCDateTime()),
)


def _chain_holds(rows, head, hash_of) -> bool:
    """The chain verifies under ``hash_of(row, prev_hash)``, its head included."""
    prev = GENESIS
    for seq, row in enumerate(rows, 1):
        if row.seq != seq or row.prev_hash != prev or hash_of(row, prev) != row.entry_hash:
            return False
        prev = row.entry_hash
    last = (rows[-1].seq, prev) if rows else (0, GENESIS)
    return head is None and not rows or head is not None and tuple(head) == last


def _reseal(bind, entries, hash_of, new_hash_of, extra_values):
    """Re-hash, learner by learner, the chains that verify under ``hash_of``."""
    heads = {
        row.learner_id: (row.last_seq, row.last_hash)
        for row in bind.execute(sa.select(HEADS.c.learner_id, HEADS.c.last_seq, HEADS.c.last_hash))
    }
    rows = bind.execute(sa.select(entries).order_by(entries.c.learner_id, entries.c.seq)).all()
    updates, head_updates = [], []
    for learner_id, group in groupby(rows, key=lambda row: row.learner_id):
        chain = list(group)
        holds = _chain_holds(chain, heads.get(learner_id), hash_of)
        prev = GENESIS
        for row in chain:
            values = extra_values(row)
            if holds:
                values["b_prev"] = prev
                values["b_hash"] = prev = new_hash_of(row, values, prev)
            else:
                values["b_prev"], values["b_hash"] = row.prev_hash, row.entry_hash
            updates.append({"b_id": row.id, **values})
        if holds and chain:
            head_updates.append({"b_learner": learner_id, "b_hash": prev})
    return updates, head_updates


def _write_resealed(bind, target, updates, head_updates, **columns) -> None:
    """Write what ``_reseal`` computed: each entry's ``columns`` (column → bind name), its
    new hashes, and each learner's chain head."""
    if updates:
        values = {column: sa.bindparam(name) for column, name in columns.items()}
        bind.execute(
            target.update()
            .where(target.c.id == sa.bindparam("b_id"))
            .values(**values, prev_hash=sa.bindparam("b_prev"), entry_hash=sa.bindparam("b_hash")),
            updates,
        )
    if head_updates:
        bind.execute(
            HEADS.update()
            .where(HEADS.c.learner_id == sa.bindparam("b_learner"))
            .values(last_hash=sa.bindparam("b_hash")),
            head_updates,
        )


def upgrade():
    op.create_table(
        "ledger_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("erased_at", lms.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_ledger_texts_learner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_texts")),
    )
    with op.batch_alter_table("ledger_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_texts_learner_id"), ["learner_id"])
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reason_digest", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("legacy_hash", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_entries_text_id_ledger_texts"),
            "ledger_texts",
            ["text_id"],
            ["id"],
        )

    bind = op.get_bind()
    entries = _entries(sa.column("reason", sa.Text))
    texts, text_ids = [], {}

    def words(row) -> dict:
        if not row.reason:
            return {"b_text_id": None, "b_digest": "", "b_legacy": row.entry_hash}
        salt = secrets.token_hex(16)
        text_ids[row.id] = len(texts) + 1
        texts.append(
            {"id": len(texts) + 1, "learner_id": row.learner_id, "text": row.reason, "salt": salt}
        )
        return {
            "b_text_id": text_ids[row.id],
            "b_digest": _reason_digest(row.reason, salt),
            "b_legacy": row.entry_hash,
        }

    updates, head_updates = _reseal(
        bind,
        entries,
        hash_of=lambda row, prev: _hash(_content(row, reason=row.reason or ""), prev),
        new_hash_of=lambda row, values, prev: _hash(
            _content(row, reason_digest=values["b_digest"]), prev
        ),
        extra_values=words,
    )
    if texts:
        bind.execute(TEXTS.insert(), texts)
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('ledger_texts', 'id'), :last)"),
                {"last": len(texts)},
            )
    target = _entries(
        sa.column("text_id", sa.Integer),
        sa.column("reason_digest", sa.String),
        sa.column("legacy_hash", sa.String),
    )
    _write_resealed(
        bind,
        target,
        updates,
        head_updates,
        text_id="b_text_id",
        reason_digest="b_digest",
        legacy_hash="b_legacy",
    )

    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.alter_column("reason_digest", server_default=None)
        batch_op.drop_column("reason")


def downgrade():
    """The words go back into the entries (erased words as ""), re-sealed the old way."""
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    words_of = {row.id: row.text for row in bind.execute(sa.select(TEXTS.c.id, TEXTS.c.text))}
    entries = _entries(
        sa.column("text_id", sa.Integer),
        sa.column("reason_digest", sa.String),
    )
    updates, head_updates = _reseal(
        bind,
        entries,
        hash_of=lambda row, prev: _hash(_content(row, reason_digest=row.reason_digest), prev),
        new_hash_of=lambda row, values, prev: _hash(_content(row, reason=values["b_reason"]), prev),
        extra_values=lambda row: {"b_reason": words_of.get(row.text_id, "")},
    )
    target = _entries(sa.column("reason", sa.Text))
    _write_resealed(bind, target, updates, head_updates, reason="b_reason")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.alter_column("reason", server_default=None)
        batch_op.drop_constraint(
            batch_op.f("fk_ledger_entries_text_id_ledger_texts"), type_="foreignkey"
        )
        batch_op.drop_column("legacy_hash")
        batch_op.drop_column("reason_digest")
        batch_op.drop_column("text_id")
    with op.batch_alter_table("ledger_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_texts_learner_id"))
    op.drop_table("ledger_texts")
