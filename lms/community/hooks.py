"""Community's addition to course pages: the catalogue's "best rated" order."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.community.models import CourseRating
from lms.courses.hooks import CatalogueOrder, register_catalogue_order
from lms.courses.models import Course


def best_rated(query):
    rated = (
        select(
            CourseRating.course_id,
            func.avg(CourseRating.stars * 1.0).label("average"),
            func.count(CourseRating.id).label("ratings"),
        )
        .group_by(CourseRating.course_id)
        .subquery()
    )
    return query.outerjoin(rated, rated.c.course_id == Course.id).order_by(
        func.coalesce(rated.c.average, 0).desc(),
        func.coalesce(rated.c.ratings, 0).desc(),
        Course.id.desc(),
    )


def connect() -> None:
    register_catalogue_order(CatalogueOrder("rated", lambda: _l("Best rated"), best_rated))
