"""The registry of xAPI statement sources and the vocabulary they share.

A source is a function ``source(since, until) -> Iterable[Record]``: the statements of
what happened at or after ``since`` (every one when None) and before ``until``, in
timestamp order (ties in any order: ``records`` sorts them by statement id). Each
learning domain registers its own in ``register(app)``; ``records()`` merges them into
one ordered stream, which the export writes and the forwarder sends (see docs/xapi.md).
"""

import hashlib
import heapq
import hmac
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db

# Statement ids are uuid5 of this namespace and a name made of what the statement is
# about ("beat:12:3"), so the same event always gets the same id and a resend is harmless.
NAMESPACE = uuid.UUID("0b1f5a4e-6c1d-4c8e-9f65-2d3b7a7f4c10")

ADL_VERB = "http://adlnet.gov/expapi/verbs"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities"
EARNED = "http://id.tincanapi.com/verb/earned"


@dataclass(frozen=True, order=True)
class Record:
    """One statement, with what the forwarder needs to order and filter it."""

    timestamp: datetime
    id: str
    learner_id: int = field(compare=False)
    statement: dict = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.timestamp, self.id)


Source = Callable[[datetime | None, datetime | None], Iterable[Record]]
_sources: dict[str, Source] = {}


def register_statement_source(name: str, source: Source) -> None:
    """Add (or replace) a source of statements; ``name`` is the domain's ("study")."""
    _sources[name] = source


def registered_sources() -> dict[str, Source]:
    return dict(_sources)


def records(since: datetime | None = None, until: datetime | None = None) -> Iterator[Record]:
    """Every source's records in one stream ordered by (timestamp, id), leaving out the
    people who were erased: nothing new is said about them."""
    erased = set(db.session.scalars(select(User.id).where(User.pseudonymised_at.is_not(None))))
    streams = [in_key_order(source(since, until)) for _, source in sorted(_sources.items())]
    for record in heapq.merge(*streams, key=lambda record: record.key):
        if record.learner_id not in erased:
            yield record


def in_key_order(stream: Iterable[Record]) -> Iterator[Record]:
    """Records in timestamp order made into key order: each run of equal timestamps
    sorted by id. Raises if a source goes back in time (it would make the mark skip)."""
    group: list[Record] = []
    for record in stream:
        if group and record.timestamp != group[0].timestamp:
            if record.timestamp < group[0].timestamp:
                raise ValueError(f"xAPI source out of order at {record.id}")
            yield from sorted(group)
            group = []
        group.append(record)
    yield from sorted(group)


def statement_id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def home_page() -> str:
    """The URL that names this platform's accounts (LMS_XAPI_HOME_PAGE, else the site)."""
    config = current_app.config
    return config["LMS_XAPI_HOME_PAGE"] or config["LMS_PUBLIC_URL"] or "http://localhost"


def activity_id(kind: str, ident) -> str:
    """A stable IRI for one of our things: {home}/xapi/activities/{kind}/{id}."""
    return f"{home_page()}/xapi/activities/{kind}/{ident}"


def actor_name(learner_id: int) -> str:
    """A pseudonym for the learner: keyed by the secret, so the LRS never sees the account
    id, and fixed by the id, so it stays the same after erasure."""
    key = hashlib.sha256(b"xapi-actor:" + current_app.secret_key.encode()).digest()
    return hmac.new(key, str(learner_id).encode(), hashlib.sha256).hexdigest()[:32]


def actor(learner_id: int) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": home_page(), "name": actor_name(learner_id)},
    }


def verb(verb_id: str, display: str) -> dict:
    return {"id": verb_id, "display": {"en-US": display}}


def activity(kind: str, ident, activity_type: str, name: str) -> dict:
    return {
        "objectType": "Activity",
        "id": activity_id(kind, ident),
        "definition": {"type": activity_type, "name": {"zh-CN": name}},
    }


def timestamp(moment: datetime) -> str:
    """UTC, milliseconds, "Z": the form an LRS stores, so a resend compares equal."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def make_record(ident: str, learner_id: int, moment: datetime, statement: dict) -> Record:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    full = {"id": ident, "actor": actor(learner_id), **statement, "timestamp": timestamp(moment)}
    return Record(moment, ident, learner_id, full)
