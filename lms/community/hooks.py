"""Community's additions to course pages: the catalogue's "best rated" order and the
average rating on course cards."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.community.models import CourseRating
from lms.courses.hooks import (
    CardFacts,
    CatalogueOrder,
    register_card_facts,
    register_catalogue_order,
)
from lms.courses.models import Course
from lms.extensions import db


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


def rating_facts(course_ids: list[int]) -> dict[int, dict]:
    """{course id: {"rating": average stars, "ratings": how many}} for rated courses."""
    rows = db.session.execute(
        select(CourseRating.course_id, func.avg(CourseRating.stars * 1.0), func.count())
        .where(CourseRating.course_id.in_(course_ids))
        .group_by(CourseRating.course_id)
    )
    return {
        course_id: {"rating": round(float(average), 1), "ratings": count}
        for course_id, average, count in rows
    }


def connect() -> None:
    register_catalogue_order(CatalogueOrder("rated", lambda: _l("Best rated"), best_rated))
    register_card_facts(CardFacts("community.rating", rating_facts))
