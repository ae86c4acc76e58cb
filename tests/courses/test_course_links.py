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


def test_the_lesson_page_shows_registered_sections_in_order_and_skips_none(
    app, client, login_as, make_user, make_course
):
    from markupsafe import Markup

    from lms.courses import hooks

    course = make_course()
    learner = make_user("learner")
    enrol(app, course, learner)
    saved = dict(hooks._lesson_sections)
    try:
        hooks.register_lesson_section(
            hooks.LessonSection("test.late", lambda lesson, user: Markup("<p id=late></p>"), 90)
        )
        hooks.register_lesson_section(
            hooks.LessonSection("test.early", lambda lesson, user: Markup("<p id=early></p>"), 1)
        )
        hooks.register_lesson_section(hooks.LessonSection("test.none", lambda lesson, user: None))
        login_as(learner)
        page = client.get(f"/courses/{course.id}/lessons/{course.lesson_ids[0]}").get_data(
            as_text=True
        )
    finally:
        hooks._lesson_sections.clear()
        hooks._lesson_sections.update(saved)
    assert page.index("<p id=early>") < page.index('id="questions"') < page.index("<p id=late>")


def test_the_teachers_course_page_shows_registered_figures_to_its_teachers(
    client, login_as, make_course
):
    course = make_course()
    login_as(course.teacher)
    page = client.get(f"/teach/courses/{course.id}").get_data(as_text=True)
    assert 'id="course-summaries"' in page and 'href="/teaching/questions"' in page
