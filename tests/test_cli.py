# seed-demo: tests/test_seed_demo.py
from lms.accounts.services import authenticate
from lms.startup_errors import OFFLINE_LMS_COMMANDS
from tests.apps import build_app

# Every `flask lms` command: each domain adds its own in register(app) (ops and the
# synthetic district in the app factory); one that goes missing fails here.
LMS_COMMANDS = {
    "backup",
    "close-class-sessions",
    "create-user",
    "doctor",
    "export-xapi",
    "generate-covers",
    "import-questions",
    "import-video",
    "reports-rollup",
    "restore",
    "rotate-signing-key",
    "seed-demo",
    "seed-synthetic",
    "send-xapi",
    "transcode",
    "verify-credential",
    "verify-ledger",
    "worker",
}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["lms", *args])


def listed_commands(help_output: str) -> set[str]:
    _, _, listing = help_output.partition("Commands:")
    return {line.split()[0] for line in listing.splitlines() if line.strip()}


def test_every_command_is_registered(app):
    result = run(app, "--help")
    assert result.exit_code == 0, result.output
    assert listed_commands(result.output) == LMS_COMMANDS
    for name in LMS_COMMANDS:
        assert run(app, name, "--help").exit_code == 0, name


def test_every_command_but_the_offline_ones_checks_the_database_first(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'missing' / 'lms.sqlite'}", tmp_path / "instance")
    assert OFFLINE_LMS_COMMANDS < LMS_COMMANDS
    for name in sorted(LMS_COMMANDS - OFFLINE_LMS_COMMANDS):
        result = run(app, name)
        assert result.exit_code == 2, (name, result.output)
        assert "names a SQLite file" in result.output, name


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
