"""Assessment (学、练、考): question banks, in-video checkpoints, daily practice, exams."""

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the periodic task that submits overdue attempts, the commands."""
    from lms.assessment import cli, models, tasks  # noqa: F401  (tables; periodic tasks)
    from lms.assessment.blueprint import bp
    from lms.cli import register_commands

    app.register_blueprint(bp)
    register_commands(cli.import_questions)
    _register_course_links()
    _register_practice_and_checkpoints()


def _register_course_links() -> None:
    """The course page's links: exams for learners; bank and exams for its teachers."""
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from lms.assessment.exams import has_published_exam
    from lms.assessment.permissions import can_manage_bank
    from lms.courses.hooks import register_course_link

    register_course_link(
        "course_page",
        "assessment.course_exams",
        _l("Exams"),
        lambda course: url_for("assessment.course_exams", course_id=course.id),
        visible=lambda user, course: (
            user.is_authenticated and course.is_published and has_published_exam(course)
        ),
        order=40,
    )
    register_course_link(
        "course_page",
        "assessment.bank",
        _l("Question bank"),
        lambda course: url_for("assessment.bank", course_id=course.id),
        visible=lambda user, course: can_manage_bank(user, course),
        order=41,
    )
    register_course_link(
        "course_page",
        "assessment.exams",
        _l("Manage exams"),
        lambda course: url_for("assessment.exams", course_id=course.id),
        visible=lambda user, course: can_manage_bank(user, course),
        order=42,
    )


def _register_practice_and_checkpoints() -> None:
    """Checkpoints on the player, personal data, the xAPI sources, the demo."""
    from lms.assessment import player, privacy, xapi
    from lms.assessment.demo.seed import seed_assessment
    from lms.cli import register_demo_seeder

    player.connect()
    privacy.connect()
    xapi.register_sources()
    # After courses (20, the demo course and its learners), before credits (40).
    register_demo_seeder(35, "assessment", seed_assessment)
