"""Learning stars, learning organisations, workplace training, course ratings,
questions on lessons and in-app notifications. Community reads credits, study,
attendance, courses and accounts; nothing imports community."""

from flask import Flask
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError


def register(app: Flask) -> None:
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from lms.cli import register_demo_seeder
    from lms.community import (  # noqa: F401  (tables, periodic tasks)
        cli,
        models,
        privacy,
        tasks,
    )
    from lms.community.blueprint import bp
    from lms.community.evaluations import RATING_LABELS
    from lms.community.hooks import connect
    from lms.community.messages import community_label
    from lms.community.notifications import unread_count
    from lms.community.question_hooks import connect as connect_questions
    from lms.courses.hooks import register_course_link

    app.register_blueprint(bp)
    connect()
    connect_questions()
    privacy.connect()
    register_course_link(
        "course_page",
        "community.course_ratings",
        _l("Ratings"),
        lambda course: url_for("community.course_ratings", course_id=course.id),
        order=10,
    )
    register_course_link(
        "teach_list",
        "community.teaching_quality",
        _l("Ratings and quality"),
        lambda: url_for("community.teaching_quality"),
    )

    @app.context_processor
    def community_template_context():
        def unread_notifications() -> int:
            if not current_user.is_authenticated:
                return 0
            try:
                return unread_count(current_user.id)
            except SQLAlchemyError:  # an error page after a failed transaction
                return 0

        return {
            "unread_notifications": unread_notifications,
            "community_label": community_label,
            "evaluation_rating_label": lambda rating: str(RATING_LABELS.get(rating, rating)),
        }

    register_demo_seeder(50, "community", cli.seed_community)
