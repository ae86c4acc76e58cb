"""The platform's signing keys: the one that signs now, and every one it has signed with.

The private key is the file ``LMS_SIGNING_KEY_FILE`` (in scaled mode every node has the
same file). The public half of each key that signed something is kept in the
``signing_keys`` table, and the JWK Set (``/.well-known/jwks.json``) publishes the file's
key and all of those, each under its own ``kid``. So a credential signed before a
rotation keeps verifying, and a node still holding the old file after a rotation
publishes the new key too (both are in the shared database).

``flask lms rotate-signing-key`` records the current key as retired, writes a new key
(atomically: aside, then renamed over the file) and records it; processes re-read the
file when it changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.credits import credentials
from lms.credits.credential_models import SigningKey
from lms.extensions import db
from lms.timeutil import utcnow

if TYPE_CHECKING:  # cryptography is imported on use, in credentials.py
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_recorded: set[str] = set()  # kids this process knows are in the table


def _kid(key: Ed25519PrivateKey) -> str:
    return credentials.public_jwk(key.public_key())["kid"]


def record_public_key(key: Ed25519PrivateKey, *, retired: bool = False) -> str:
    """Keep ``key``'s public half in the table (once); its kid."""
    jwk = credentials.public_jwk(key.public_key())
    kid = jwk["kid"]
    row = db.session.get(SigningKey, kid)
    if row is None:
        try:
            with db.session.begin_nested():  # another process may record it at once
                row = SigningKey(kid=kid, public_x=jwk["x"])
                db.session.add(row)
        except IntegrityError:
            row = db.session.get(SigningKey, kid)
    if retired and row.retired_at is None:
        row.retired_at = utcnow()
    _recorded.add(kid)
    return kid


@dataclass(frozen=True)
class CurrentKey:
    key: Ed25519PrivateKey
    kid: str


def current_key() -> CurrentKey:
    """The key to sign with now (created on first use); its public half is recorded."""
    key = credentials.signing_key()
    kid = _kid(key)
    if kid not in _recorded:
        record_public_key(key)
    return CurrentKey(key, kid)


def published_jwks(*, create: bool = True) -> dict:
    """Every key to trust: the file's (created when absent, if ``create``) and the kept ones."""
    keys = {}
    path = current_app.config["LMS_SIGNING_KEY_FILE"]
    if create or os.path.exists(path):
        key = credentials.signing_key()
        keys[_kid(key)] = credentials.public_jwk(key.public_key())
    for row in db.session.scalars(select(SigningKey).order_by(SigningKey.first_used_at)):
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": row.public_x}
        public = credentials.public_jwk(credentials.public_key_from_jwk(jwk))
        keys.setdefault(public["kid"], public)
    if not keys:
        raise FileNotFoundError(f"no signing key at {path} and none kept in the database")
    return {"keys": list(keys.values())}


def own_kids() -> set[str]:
    """The ids of this platform's keys (none created here)."""
    try:
        return {key["kid"] for key in published_jwks(create=False)["keys"]}
    except (OSError, ValueError):
        return set()


@dataclass(frozen=True)
class Rotation:
    old_kid: str
    new_kid: str
    path: Path


def rotate(out: str | None = None) -> Rotation:
    """Retire the current key and write a new one (to ``out``, default the key file)."""
    path = Path(current_app.config["LMS_SIGNING_KEY_FILE"])
    if not path.exists():
        raise FileNotFoundError(f"no signing key at {path}: it is created on first use")
    old_kid = record_public_key(credentials.load_signing_key(path), retired=True)
    db.session.commit()  # the old key stays published before the file changes
    target = Path(out) if out else path
    new_kid = record_public_key(credentials.write_new_signing_key(target, replace=True))
    db.session.commit()
    return Rotation(old_kid, new_kid, target)
