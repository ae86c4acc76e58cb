"""Users, roles, towns/streets (镇街) and authentication."""

from flask import Flask

from lms.extensions import db, login_manager


def register(app: Flask) -> None:
    from lms.accounts import cli, tasks  # noqa: F401  (tasks: periodic tasks)
    from lms.accounts.audit import record_personal_export
    from lms.accounts.blueprint import bp
    from lms.accounts.forms import ActionForm
    from lms.accounts.models import User
    from lms.accounts.signals import install as install_learner_signals
    from lms.accounts.views import elder_mode_on
    from lms.cli import register_commands, register_data_check, register_demo_seeder
    from lms.web.downloads import register_personal_export_recorder

    install_learner_signals()
    app.register_blueprint(bp)  # with its hook: the privacy notice is accepted first
    register_personal_export_recorder(record_personal_export)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        # A changed password rotates the token and ends every older session.
        if user is None or not user.is_active or user.session_token != token:
            return None
        return user

    @app.context_processor
    def account_template_context():
        return {
            "elder_mode": elder_mode_on(),
            # formdata=None: built for every page, the error page of a too-large body
            # included, it must not read the request's form.
            "action_form": ActionForm(formdata=None),
        }

    register_commands(cli.create_user)
    register_demo_seeder(10, "accounts", cli.seed_accounts)
    register_data_check(cli.accounts_held)
