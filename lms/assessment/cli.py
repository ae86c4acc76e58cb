"""``flask lms`` commands of assessment."""

import sys

import click

from lms.assessment.importing import import_questions as import_rows
from lms.assessment.questions import AssessmentError
from lms.cli import lms_command
from lms.courses.models import Course
from lms.extensions import db


@lms_command("import-questions")
@click.option("--course", "course_id", type=int, required=True, help="The course's id.")
@click.option(
    "--good-rows-only", is_flag=True, help="Import the good rows even when some rows are bad."
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_questions(course_id: int, good_rows_only: bool, path: str) -> None:
    """Import questions into a course's bank from an XLSX file in the template."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise click.ClickException(f"No course {course_id}.")
    try:
        with open(path, "rb") as stream:
            report = import_rows(course, stream, actor=None, good_rows_only=good_rows_only)
    except AssessmentError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    for row in report:
        if not row.imported:
            click.echo(f"row {row.row_number}: {row.reason}", err=True)
    imported = sum(1 for row in report if row.imported)
    if imported:
        db.session.commit()
    else:
        db.session.rollback()
    click.echo(f"{imported} of {len(report)} questions imported into course {course_id}.")
    if imported < len(report):
        sys.exit(1)
