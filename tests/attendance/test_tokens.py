"""The token rules as pure functions: the clock is an argument, nothing sleeps."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from lms.attendance import rules, tokens

KEY = tokens.derive_key("test-secret")
# The start of a 15-second window, so "+ n seconds" reads plainly.
T0 = datetime.fromtimestamp(1_800_000_000 - 1_800_000_000 % 15, UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_token_is_accepted_in_its_window():
    token = tokens.make_rotating_token(KEY, 42, "checkin", at(3))
    for seconds in (0, 7.5, 14.9):
        claim = tokens.read_rotating_token(KEY, token, at(seconds), grace=10)
        assert (claim.class_session_id, claim.mode) == (42, "checkin")


def test_a_token_is_accepted_in_the_grace_and_refused_after():
    token = tokens.make_rotating_token(KEY, 42, "checkout", at(0))
    assert tokens.read_rotating_token(KEY, token, at(24.9), grace=10).mode == "checkout"
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.read_rotating_token(KEY, token, at(25), grace=10)
    assert refused.value.reason == "expired"
    with pytest.raises(tokens.TokenRefused):
        tokens.read_rotating_token(KEY, token, at(3600), grace=10)


def test_a_token_from_a_later_window_is_not_accepted_early():
    token = tokens.make_rotating_token(KEY, 42, "checkin", at(15))
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.read_rotating_token(KEY, token, at(14), grace=10)
    assert refused.value.reason == "not_yet"


def test_the_token_rotates_every_window():
    first = tokens.make_rotating_token(KEY, 42, "checkin", at(0))
    assert tokens.make_rotating_token(KEY, 42, "checkin", at(14)) == first
    assert tokens.make_rotating_token(KEY, 42, "checkin", at(15)) != first


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(".42.", ".43.", 1),  # another session
        lambda t: t.replace(".i.", ".o.", 1),  # check-in token used as check-out
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature edited
        lambda t: ".".join(
            t.split(".")[:3] + [str(int(t.split(".")[3]) + 1000)] + t.split(".")[4:]
        ),
        lambda t: "2" + t[1:],  # unknown version
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: "",
        lambda t: "1.x.i.1.abc",
    ],
)
def test_tampered_tokens_are_refused(tamper):
    token = tokens.make_rotating_token(KEY, 42, "checkin", at(0))
    with pytest.raises(tokens.TokenRefused):
        tokens.read_rotating_token(KEY, tamper(token), at(1), grace=10)


def test_a_token_signed_with_another_key_is_refused():
    forged = tokens.make_rotating_token(tokens.derive_key("not-our-secret"), 42, "checkin", at(0))
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.read_rotating_token(KEY, forged, at(1), grace=10)
    assert refused.value.reason == "bad_signature"


def test_the_key_is_derived_per_purpose():
    assert tokens.derive_key("s", "a") != tokens.derive_key("s", "b")
    assert tokens.derive_key("s") != b"s"


def test_the_code_matches_its_session_mode_and_window_only():
    code = tokens.code_for_now(KEY, 42, "checkin", at(2))
    assert len(code) == tokens.CODE_DIGITS and code.isdigit()
    assert tokens.match_code(KEY, 42, code, at(10), grace=10) == "checkin"
    assert tokens.match_code(KEY, 42, code, at(24), grace=10) == "checkin"  # grace
    assert tokens.match_code(KEY, 42, code, at(26), grace=10) is None
    assert tokens.match_code(KEY, 43, code, at(10), grace=10) is None
    checkout = tokens.code_for_now(KEY, 42, "checkout", at(2))
    assert tokens.match_code(KEY, 42, checkout, at(3), grace=10) == "checkout"
    assert tokens.match_code(KEY, 42, code, at(44), grace=30) == "checkin"  # a longer grace
    assert tokens.match_code(KEY, 42, code, at(45), grace=30) is None
    assert tokens.match_code(KEY, 42, "12345", at(3)) is None
    assert tokens.match_code(KEY, 42, "abcdef", at(3)) is None


def test_card_payload_round_trip_and_refusals():
    token = tokens.new_card_token()
    assert re.fullmatch(r"[0-9a-f]{32}", token)  # 128 bits as lowercase hex
    payload = tokens.card_payload(token)
    assert payload.startswith("KQCARD:1:")
    assert tokens.read_card_payload(payload) == token
    assert tokens.read_card_payload(payload.lower().replace("kqcard", "KQCARD")) == token
    for bad in ("", "hello", "KQCARD:1:XYZ", f"KQCARD:9:{token}", str(12345)):
        with pytest.raises(tokens.TokenRefused):
            tokens.read_card_payload(bad)


def test_card_tokens_are_random_not_derived_from_the_user():
    assert len({tokens.new_card_token() for _ in range(100)}) == 100


def test_card_numbers_come_from_the_token_with_a_check_digit():
    token = "0123456789abcdef0123456789abcdef"
    number = tokens.card_number(token)
    assert len(number) == 12 and number.isdigit()
    assert tokens.card_number(token.upper()) == number  # as read back from a QR
    assert tokens.card_number("f" + token[1:]) != number
    body, check = number[:-1], number[-1]
    assert all(body + digit != number for digit in "0123456789" if digit != check)
    assert tokens.luhn_check_digit(body) == check
    assert tokens.luhn_check_digit("7992739871") == "3"  # the textbook example


SESSION = SimpleNamespace(
    starts_at=at(3600),
    ends_at=at(3600 + 7200),
    checkin_opens_at=at(3600 - 1800),
    checkout_closes_at=at(3600 + 7200 + 1800),
    late_at=at(3600 + 600),
)


def test_check_in_window_and_lateness():
    assert rules.checkin_refusal(SESSION, at(3600 - 1801)) == "too_early"
    assert rules.checkin_refusal(SESSION, at(3600 - 1800)) is None
    assert rules.checkin_refusal(SESSION, at(3600 + 7200)) is None
    assert rules.checkin_refusal(SESSION, at(3600 + 7201)) == "too_late"
    assert rules.status_at(SESSION, at(3600 + 600)) == "present"
    assert rules.status_at(SESSION, at(3600 + 601)) == "late"


def test_attended_hours_count_only_the_scheduled_time():
    assert rules.attended_hours(SESSION, at(0), at(99_999)) == 2.0
    assert rules.attended_hours(SESSION, at(3600 + 1800), at(3600 + 5400)) == 1.0
    assert rules.attended_hours(SESSION, at(3600 + 7300), at(3600 + 7400)) == 0.0


def test_skew_correction():
    device_now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)  # the device runs 10 minutes fast
    server_now = datetime(2026, 5, 1, 11, 50, tzinfo=UTC)
    scanned = datetime(2026, 5, 1, 11, 30, tzinfo=UTC)
    assert rules.corrected_for_skew(scanned, device_now, server_now) == datetime(
        2026, 5, 1, 11, 20, tzinfo=UTC
    )


def test_local_wall_clock_to_utc():
    assert rules.local_to_utc(datetime(2026, 5, 1, 19, 0), "Asia/Shanghai") == datetime(
        2026, 5, 1, 11, 0, tzinfo=UTC
    )
