"""Course cards: a cover for every course (generated when none was uploaded), the facts
each card shows, and a catalogue whose query count does not grow with its courses."""

import io
import re
from contextlib import contextmanager

from PIL import Image
from sqlalchemy import event, select

from lms.community.models import CourseRating
from lms.courses import covers
from lms.courses.models import Course
from lms.extensions import db
from tests.factories import enrol

CARD = re.compile(r'<li class="course-card">(.*?)</li>', re.S)


def cards(client, url="/courses/"):
    return CARD.findall(client.get(url).get_data(as_text=True))


def test_every_catalogue_card_has_a_cover_image_that_answers(client, make_course):
    make_course(title="书法基础", category="文化艺术")
    make_course(title="电工入门")  # saved without a cover, no category
    found = cards(client)
    assert len(found) == 2
    for card in found:
        img = re.search(r"<img ([^>]*)>", card).group(1)
        assert 'loading="lazy"' in img and 'alt=""' in img and "sizes=" in img
        srcset = re.search(r'srcset="([^"]*)"', img).group(1)
        assert "320w" in srcset and "640w" in srcset
        urls = [re.search(r'src="([^"]*)"', img).group(1)]
        urls += [part.split()[0] for part in srcset.split(",")]
        for url in urls:
            response = client.get(url.replace("&amp;", "&"))
            assert response.status_code == 200 and response.mimetype.startswith("image/")
            Image.open(io.BytesIO(response.data)).verify()


def test_a_course_created_without_a_cover_gets_a_generated_one(
    app, client, csrf_token, login_as, make_user
):
    teacher = make_user("teacher")
    login_as(teacher)
    client.post(
        "/teach/courses/new",
        data={
            "title": "太极拳入门",
            "completion_percent": "90",
            "category_id": "0",
            "required_sessions": "0",
            "csrf_token": csrf_token(),
        },
    )
    with app.app_context():
        from lms.media.storage import get_storage

        course = db.session.scalar(select(Course).where(Course.title == "太极拳入门"))
        key = course.cover_key
        assert key and "/cover-gen-" in key and get_storage().exists(key)
        small = Image.open(io.BytesIO(get_storage().get_bytes(key.replace(".jpg", "-320.jpg"))))
        assert small.size == (320, 180)
        course_id = course.id
    response = client.get(f"/courses/{course_id}/cover.jpg")
    assert response.status_code == 200 and Image.open(io.BytesIO(response.data)).size == (640, 360)

    # Saved again unchanged, the cover stays; a new title makes a new one.
    form = {"completion_percent": "90", "category_id": "0", "required_sessions": "0"}
    client.post(
        f"/teach/courses/{course_id}",
        data={**form, "title": "太极拳入门", "csrf_token": csrf_token()},
    )
    with app.app_context():
        assert db.session.get(Course, course_id).cover_key == key
    client.post(
        f"/teach/courses/{course_id}",
        data={**form, "title": "太极拳进阶", "csrf_token": csrf_token()},
    )
    with app.app_context():
        from lms.media.storage import get_storage

        new_key = db.session.get(Course, course_id).cover_key
        assert new_key != key and "/cover-gen-" in new_key
        assert not get_storage().exists(key)


def test_the_generated_cover_is_the_same_for_the_same_title_and_category():
    first = covers.generated_cover("八段锦", 3, "健康养生")
    assert first == covers.generated_cover("八段锦", 3, "健康养生")
    image = Image.open(io.BytesIO(first)).convert("RGB")
    expected = tuple(int(covers.category_colour(3)[i : i + 2], 16) for i in (1, 3, 5))
    assert all(abs(a - b) <= 4 for a, b in zip(image.getpixel((5, 350)), expected, strict=True))
    # The first eight categories all get a colour of their own.
    assert len({covers.category_colour(category_id) for category_id in range(1, 9)}) == 8
    assert covers.category_colour(None) == covers.NO_CATEGORY_COLOUR


def test_long_titles_wrap_and_latin_words_stay_whole():
    font = covers._font(36, "bold")
    if font is None:  # no CJK font on this machine: the covers carry no text
        return
    lines = covers.wrap("长辈学用智能手机：从开机到视频通话和微信支付 Smartphone basics", font, 300)
    assert len(lines) > 1 and all(font.getlength(line) <= 300 + font.size for line in lines)
    assert any("Smartphone" in line for line in lines) and not lines[1].startswith("：")
    width = font.getlength("社区书法课第5期（")  # the bracket fits, what it opens does not
    assert covers.wrap("社区书法课第5期（178465）", font, width + 2) == [
        "社区书法课第5期",
        "（178465）",
    ]


def test_a_card_shows_teacher_lessons_length_learners_and_rating(
    app, client, make_course, make_user
):
    teacher = make_user("teacher", display_name="王老师")
    rated = make_course(teacher, title="八段锦", lessons=3)  # three lessons of two minutes
    make_course(title="太极拳", lessons=1)
    learners = [make_user("learner") for _ in range(2)]
    for learner in learners:
        enrol(app, rated, learner)
    with app.app_context():
        for learner, stars in zip(learners, (4, 5), strict=True):
            db.session.add(CourseRating(course_id=rated.id, learner_id=learner.id, stars=stars))
        db.session.commit()
    found = {re.search(r'course-title">([^<]*)<', card).group(1): card for card in cards(client)}
    rated_card, unrated_card = found["八段锦"], found["太极拳"]
    assert "王老师" in rated_card
    assert "3 课时" in rated_card and "6 分钟" in rated_card and "2 人在学" in rated_card
    assert "4.5 分（2 人评价）" in rated_card and "★★★★☆" in rated_card
    assert "1 课时" in unrated_card and "0 人在学" in unrated_card and "还没有评价" in unrated_card


def test_my_courses_cards_show_the_facts_too(app, client, login_as, make_course, make_user):
    course = make_course(title="八段锦")
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    (card,) = cards(client, "/my/courses")
    assert "八段锦" in card and "1 人在学" in card and "<img" in card


@contextmanager
def counted_statements(app):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_catalogue_query_count_does_not_grow_with_its_courses(
    app, client, make_course, make_user
):
    app.config["COURSES_PER_PAGE"] = 24
    teacher = make_user("teacher")
    make_course(teacher, title="课程1", category="文化艺术")
    with counted_statements(app) as few:
        assert client.get("/courses/").status_code == 200
    for number in range(2, 13):
        make_course(make_user("teacher"), title=f"课程{number}", category=f"分类{number}")
    with counted_statements(app) as many:
        page = client.get("/courses/").get_data(as_text=True)
    assert page.count('class="course-card"') == 12
    assert len(many) == len(few) <= 12


def test_generate_covers_stores_the_covers_of_older_courses(app, client, make_course):
    older = make_course(title="书法基础")  # made by the service: no cover stored yet
    with app.app_context():
        assert db.session.get(Course, older.id).cover_key is None
    result = app.test_cli_runner().invoke(args=["lms", "generate-covers"])
    assert result.exit_code == 0 and "1 covers generated" in result.output
    with app.app_context():
        key = db.session.get(Course, older.id).cover_key
        assert key and "/cover-gen-" in key
    again = app.test_cli_runner().invoke(args=["lms", "generate-covers"])
    assert "0 covers generated" in again.output
    with app.app_context():
        assert db.session.get(Course, older.id).cover_key == key
