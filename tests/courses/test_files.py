import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.courses.files import make_cover, validate_webvtt
from lms.courses.models import Course
from lms.courses.services import CourseError
from lms.extensions import db

VALID_VTT = (
    "WEBVTT\n\n00:00.000 --> 00:02.500\n大家好\n\n01:00:01.000 --> 01:00:03.000\nbye\n"
).encode()


def image_bytes(size=(1200, 900), kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def test_a_cover_is_resized_to_a_640_by_360_jpeg():
    cover = Image.open(io.BytesIO(make_cover(image_bytes())))
    assert cover.format == "JPEG" and cover.size == (640, 360)


@pytest.mark.parametrize("data", [b"not an image", b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50])
def test_a_file_that_is_not_an_image_is_refused(data):
    with pytest.raises(CourseError):
        make_cover(data)


def test_an_image_with_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(CourseError):
        make_cover(image_bytes(size=(9000, 9000), kind="PNG"))


def test_valid_webvtt_is_accepted():
    assert validate_webvtt(VALID_VTT).startswith("WEBVTT")


@pytest.mark.parametrize(
    "data",
    [
        b"1\n00:00:00,000 --> 00:00:01,000\nan SRT file\n",
        b"WEBVTT\n\n00:00.000 -> 00:01.000\nbad arrow\n",
        b"WEBVTT\n\n00:05.000 --> 00:01.000\nends before it starts\n",
        b"WEBVTT\n\nno cues at all\n",
        b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xff\xfe broken utf-8\n",
    ],
)
def test_malformed_captions_are_refused(data):
    with pytest.raises(CourseError):
        validate_webvtt(data)


def test_captions_upload_and_serving(app, client, csrf_token, login_as, make_user, make_course):
    course = make_course()
    lesson_id = course.lesson_ids[0]
    login_as(course.teacher)
    client.post(
        f"/teach/courses/{course.id}/lessons/{lesson_id}/captions",
        data={"csrf_token": csrf_token(), "captions": (io.BytesIO(VALID_VTT), "a.vtt")},
        content_type="multipart/form-data",
    )
    response = client.get(f"/courses/{course.id}/lessons/{lesson_id}/captions.vtt")
    assert response.status_code == 200 and response.mimetype == "text/vtt"
    assert "大家好" in response.get_data(as_text=True)
    login_as(make_user("learner"))  # not enrolled
    assert client.get(f"/courses/{course.id}/lessons/{lesson_id}/captions.vtt").status_code == 404


def test_a_cover_upload_through_the_form(app, client, csrf_token, login_as, make_course):
    course = make_course()
    login_as(course.teacher)
    client.post(
        f"/teach/courses/{course.id}",
        data={
            "title": "新标题",
            "completion_percent": "90",
            "category_id": "0",
            "csrf_token": csrf_token(),
            "cover": (io.BytesIO(image_bytes()), "c.png"),
        },
        content_type="multipart/form-data",
    )
    response = client.get(f"/courses/{course.id}/cover.jpg")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).size == (640, 360)


def test_a_refused_cover_leaves_no_course_and_no_changed_settings(
    app, client, csrf_token, login_as, make_user, make_course
):
    """The course is flushed before its cover is read: a cover refused afterwards must
    take the new course (or the new settings) back with it."""

    def form(title):
        return {
            "title": title,
            "completion_percent": "90",
            "category_id": "0",
            "required_sessions": "0",
            "csrf_token": csrf_token(),
            "cover": (io.BytesIO(b"not an image"), "c.png"),
        }

    teacher = make_user("teacher")
    login_as(teacher)
    response = client.post(
        "/teach/courses/new", data=form("新课程"), content_type="multipart/form-data"
    )
    assert response.status_code == 200 and "JPEG" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 0

    course = make_course(teacher)
    client.post(
        f"/teach/courses/{course.id}", data=form("改过的标题"), content_type="multipart/form-data"
    )
    with app.app_context():
        assert db.session.get(Course, course.id).title == "长辈学用智能手机"
