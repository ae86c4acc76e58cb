"""Assessment (学、练、考): question banks, in-video checkpoints, daily practice, exams."""

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the periodic task that submits overdue attempts, the commands."""
    from lms.assessment import models, tasks  # noqa: F401  (tables; periodic tasks)
    from lms.assessment.blueprint import bp

    app.register_blueprint(bp)
