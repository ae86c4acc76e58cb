"""JSON-LD for the Open Badges 3.0 and CLR 2.0 credentials: the contexts this project
ships, a ``did:key`` for the signing key, and the ``eddsa-rdfc-2022`` cryptosuite.

``eddsa-rdfc-2022`` (W3C vc-di-eddsa §3.2): the proof options (with the document's
``@context``) and the unsecured document are each turned into RDF and canonicalised with
RDFC-1.0 (pyld's URDNA2015: the same output), the two N-Quads texts are hashed with
SHA-256, and the proof-options hash followed by the document hash is signed with Ed25519;
``proofValue`` is the signature as multibase base58-btc. The JSON-LD processor gets its
contexts from ``lms/credits/contexts/`` only (``document_loader``): any other context,
remote or not, is refused, and nothing is fetched.

The issuer is the signing key's ``did:key`` (``did:key:z6Mk…``), so a verifier resolves
the key from the credential alone, offline; a rotation gives a new ``did:key``, and the
credentials signed before keep verifying with the old one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lms.credits.credentials import (
    PROOF_PURPOSE,
    PROOF_TYPE,
    Verification,
    base58btc_decode,
    base58btc_encode,
    multibase_decode,
    multibase_encode,
    timestamp,
)

if TYPE_CHECKING:  # cryptography is imported on use, as in credentials.py
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

CRYPTOSUITE = "eddsa-rdfc-2022"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
CONTEXT_FOLDER = Path(__file__).with_name("contexts")
CONTEXT_FILES = {
    VC_CONTEXT: "credentials-v2.jsonld",
    DATA_INTEGRITY_CONTEXT: "data-integrity-v2.jsonld",
    OB_CONTEXT: "ob-v3p0-context-3.0.3.json",
    CLR_CONTEXT: "clr-v2p0-context-2.0.1.json",
}
ED25519_MULTICODEC = b"\xed\x01"


class UnknownContext(ValueError):
    """A document names a JSON-LD context this project does not ship."""


@cache
def _context(url: str) -> dict:
    return json.loads((CONTEXT_FOLDER / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options=None) -> dict:
    """pyld's document loader: the shipped contexts, and nothing else."""
    if url not in CONTEXT_FILES:
        raise UnknownContext(f"the JSON-LD context {url} is not one this platform ships")
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    from pyld import jsonld  # imported on use: with requests, ~6 MiB a web process rarely needs

    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
            "safe": True,  # a term no context defines is an error, not silently dropped
        },
    )


# did:key ---------------------------------------------------------------------------------


def did_key(public_key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization  # on use, as in credentials.py

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + base58btc_encode(ED25519_MULTICODEC + raw)


def verification_method(public_key: Ed25519PublicKey) -> str:
    did = did_key(public_key)
    return f"{did}#{did.removeprefix('did:key:')}"


def public_key_of_did_key(method: str) -> Ed25519PublicKey:
    """The Ed25519 key a ``did:key`` (or one of its verification methods) names."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # on use

    did = method.partition("#")[0]
    if not did.startswith("did:key:z"):
        raise ValueError(f"{method} is not an Ed25519 did:key")
    data = base58btc_decode(did.removeprefix("did:key:z"))
    if not data.startswith(ED25519_MULTICODEC) or len(data) != 34:
        raise ValueError(f"{method} is not an Ed25519 did:key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


# eddsa-rdfc-2022 -------------------------------------------------------------------------


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    proof_hash = hashlib.sha256(canonize(proof_config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(unsecured).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign(unsecured: dict, private_key: Ed25519PrivateKey, *, created: datetime) -> dict:
    """The document with an ``eddsa-rdfc-2022`` Data Integrity proof by ``private_key``,
    whose ``did:key`` names the verification method."""
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method(private_key.public_key()),
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(
        _hash_data(unsecured, {"@context": unsecured["@context"], **proof})
    )
    return {**unsecured, "proof": {**proof, "proofValue": multibase_encode(signature)}}


def verify(document) -> Verification:
    """Check an ``eddsa-rdfc-2022`` proof with the key its ``did:key`` names; ``kid`` is
    the did:key. (Whose key it is — this platform's? — is the caller's question.)"""
    from cryptography.exceptions import InvalidSignature  # on use, as in credentials.py

    if not isinstance(document, dict):
        return Verification(False, "the credential is not a JSON object")
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return Verification(False, "the credential has no single proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return Verification(False, f"unsupported proof: expected {PROOF_TYPE} {CRYPTOSUITE}")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return Verification(False, f"unexpected proof purpose: {proof.get('proofPurpose')!r}")
    method = proof.get("verificationMethod")
    try:
        public_key = public_key_of_did_key(str(method))
        signature = multibase_decode(proof.get("proofValue"))
    except ValueError as error:
        return Verification(False, f"malformed key or proofValue: {error}")
    did = str(method).partition("#")[0]
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != did:
        return Verification(False, "the proof's key is not the issuer's", did)
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    config = {name: value for name, value in proof.items() if name != "proofValue"}
    try:
        hash_data = _hash_data(unsecured, {**config, "@context": document.get("@context")})
    except Exception as error:  # pyld's errors, an unknown context
        return Verification(False, f"the credential cannot be canonicalised: {error}", did)
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        return Verification(
            False,
            "the signature does not match: the credential was changed or signed by another key",
            did,
        )
    return Verification(True, "the signature verifies", did)
