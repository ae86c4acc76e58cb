"""A wrong username costs the same work as a wrong password, so response times do not
tell which usernames exist."""

from lms.accounts import services


def test_an_unknown_username_is_checked_against_a_password_hash_too(app, monkeypatch):
    checked = []
    original = services.check_password_hash

    def counting(password_hash, password):
        checked.append(password_hash)
        return original(password_hash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    with app.app_context():
        assert services.authenticate("nobody-has-this-name", "a-guess-123") is None
    assert len(checked) == 1 and checked[0].startswith("scrypt:")
