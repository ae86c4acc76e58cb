# seed-demo: tests/test_seed_demo.py
from lms.accounts.services import authenticate


def run(app, *args):
    return app.test_cli_runner().invoke(args=["lms", *args])


def test_create_user_with_several_roles(app, make_town):
    town = make_town()
    result = run(
        app,
        "create-user",
        "wang",
        "--role",
        "teacher",
        "--role",
        "staff",
        "--town",
        town.code,
        "--password",
        "password-123",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate("wang", "password-123").roles == {"teacher", "staff"}


def test_create_user_exit_codes(app, make_town, make_user):
    town = make_town()
    taken = make_user()
    unknown_town = run(
        app, "create-user", "li", "--role", "teacher", "--town", "000", "--password", "password-123"
    )
    assert unknown_town.exit_code == 2 and "000" in unknown_town.output
    bad_role = run(app, "create-user", "li", "--role", "king", "--town", town.code)
    assert bad_role.exit_code == 2
    duplicate = run(
        app,
        "create-user",
        taken.username,
        "--role",
        "teacher",
        "--town",
        town.code,
        "--password",
        "password-123",
    )
    assert duplicate.exit_code == 1 and "Error" in duplicate.output
