"""Buttons that higher domains add to course pages (lms/courses/hooks.py course links):
the same links to the same people as when the templates named the endpoints."""

from tests.factories import enrol


def test_the_course_page_links_ratings_to_all_and_completion_to_enrolled_learners(
    app, client, login_as, make_user, make_course
):
    course = make_course()
    ratings = f'href="/courses/{course.id}/ratings"'
    record = f'href="/record/courses/{course.id}"'

    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert ratings in page and record not in page

    learner = make_user("learner")
    login_as(learner)
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert ratings in page and record not in page

    enrol(app, course, learner)
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert ratings in page and record in page
    assert page.index(ratings) < page.index(record)

    login_as(course.teacher)
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert ratings in page and record not in page


def test_the_teachers_pages_link_to_lesson_analytics_and_teaching_quality(
    client, login_as, make_course
):
    course = make_course()
    lesson_id = course.lesson_ids[0]
    login_as(course.teacher)
    page = client.get(f"/teach/courses/{course.id}/lessons/{lesson_id}").get_data(as_text=True)
    assert f'href="/study/lessons/{lesson_id}/analytics"' in page
    assert 'href="/teaching/quality"' in client.get("/teach/").get_data(as_text=True)
