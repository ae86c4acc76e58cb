"""Every route from the app's route table, with every role, on someone else's objects.

New routes are covered without touching this test: it reads ``app.url_map``. A route
passes when no other person's data appears in a successful answer and nothing fails
with a 500. The owners (and the admin) are left out: they may see their own data.
"""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from lms.accounts.models import User
from lms.attendance.models import ClassSession, CommunitySchool, Place, SchoolStaff, Signup
from lms.community.models import LessonQuestion, QuestionAnswer, QuestionReport
from lms.courses import services as courses
from lms.credits import recognition as recognitions
from lms.credits.ledger import Posting, post
from lms.credits.services import issue_certificate
from lms.extensions import db
from lms.media.models import TranscodeJob, VideoAsset
from lms.study.models import PlaySession
from lms.timeutil import utcnow
from tests.web_client import csrf_token_of

pytestmark = pytest.mark.slow  # every route as four kinds of outsider

SECRETS = ("甲学员机密", "13911112222", "草稿课机密", "认定机密", "考题机密", "练习题机密")
# Public by design: the verify page shows the name on a certificate to whoever holds
# its code; the code is the permission.
PUBLIC_BY_DESIGN = {"credits.verify"}
SKIPPED = {"static", "accounts.logout", "accounts.toggle_elder_mode", "accounts.choose_language"}


@pytest.fixture
def world(app, make_user, make_town):
    """Learner A and teacher A own things; school Y in town Y has a session."""
    town_x, town_y = make_town(), make_town()
    owner = make_user(display_name="甲学员机密", phone="13911112222", town=town_y)
    teacher = make_user("teacher", town=town_y)
    others = {
        "learner": make_user(town=town_y),
        "teacher": make_user("teacher", town=town_y),
        "staff": make_user("staff", town=town_x),
    }
    with app.app_context():
        owner_row = db.session.get(User, owner.id)
        course = courses.create_course(
            courses.CourseSettings(title="草稿课机密"), actor=db.session.get(User, teacher.id)
        )
        lesson = courses.add_lesson(course, "第一课", actor=None)
        asset = VideoAsset(
            status="ready", duration=60.0, source_filename="a.mp4", owner_id=teacher.id
        )
        db.session.add(asset)
        db.session.flush()
        lesson.asset_id = asset.id
        job = TranscodeJob(asset_id=asset.id, status="failed")
        db.session.add(job)
        schools = {}
        for name, town in (("X", town_x), ("Y", town_y)):
            schools[name] = CommunitySchool(name=f"学校{name}", town_id=town.id, address="")
            db.session.add(schools[name])
        db.session.flush()
        db.session.add(SchoolStaff(school_id=schools["X"].id, user_id=others["staff"].id))
        place = Place(kind="library", name="图书馆", town_id=town_y.id, school_id=None)
        db.session.add(place)
        starts = utcnow() + timedelta(days=1)
        session = ClassSession(
            school_id=schools["Y"].id,
            title="线下课",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
        db.session.add(session)
        db.session.flush()
        db.session.add(Signup(class_session_id=session.id, learner_id=owner.id))
        play = PlaySession(learner_id=owner.id, lesson_id=lesson.id)
        db.session.add(play)
        entry = post(Posting(owner.id, "adjustment", "x", 1.0, 1.0, None, reason="甲学员机密"))
        recognition = recognitions.submit(
            recognitions.RecognitionRequest(
                "认定机密", "单位", date(2026, 1, 1), 2, b"%PDF-1.4\n%%EOF\n", "a.pdf"
            ),
            learner=owner_row,
        )
        certificate = issue_certificate(owner.id, course)
        # A question on a lesson of the draft course, with a teacher's answer and a report.
        question = LessonQuestion(
            lesson_id=lesson.id, course_id=course.id, learner_id=owner.id, body="认定机密的问题"
        )
        db.session.add(question)
        db.session.flush()
        answer = QuestionAnswer(question_id=question.id, author_id=teacher.id, body="答复")
        db.session.add(answer)
        db.session.add(QuestionReport(question_id=question.id, reporter_id=owner.id))
        db.session.commit()
        exam_ids = _exam_world(owner_row, db.session.get(User, teacher.id))
        ids = {
            "user_id": owner.id,
            "learner_id": owner.id,
            "course_id": course.id,
            "lesson_id": lesson.id,
            "class_session_id": session.id,
            "school_id": schools["Y"].id,
            "place_id": place.id,
            "recognition_id": recognition.id,
            "certificate_id": certificate.id,
            "play_session_id": play.id,
            "entry_id": entry.id,
            "job_id": job.id,
            "public_id": asset.public_id,
            "code": certificate.code,
            "question_id": question.id,
            "answer_id": answer.id,
            **exam_ids,
            **_checkpoint_world(owner_row, db.session.get(User, teacher.id)),
        }
    return SimpleNamespace(ids=ids, others=others)


def _exam_world(owner, teacher) -> dict:
    """A published course of teacher A with a question bank and an exam; learner A has
    answered it (a short answer that names them) and waits for grading."""
    from lms.assessment.attempts import save_answer, start_attempt, submit_attempt
    from lms.assessment.exams import ExamSettings, create_exam, publish_exam, set_fixed_questions
    from lms.assessment.questions import QuestionData, create_question

    course = courses.create_course(courses.CourseSettings(title="考试课"), actor=teacher)
    course.status, course.published_at = "published", utcnow()
    courses.enrol(course, owner)
    question = create_question(
        course,
        QuestionData(type="short_answer", stem="考题机密：写一条体会", points=5),
        actor=teacher,
    )
    exam = create_exam(course, ExamSettings(title="期末", selection="fixed"), actor=teacher)
    set_fixed_questions(exam, [question.id])
    publish_exam(exam, actor=teacher)
    attempt, _ = start_attempt(exam, owner, utcnow())
    shown = save_answer(attempt, question.id, "甲学员机密的体会", utcnow())
    submit_attempt(attempt, utcnow())
    db.session.commit()
    return {
        "exam_id": exam.id,
        "attempt_id": attempt.id,
        "question_id": question.id,
        "version_id": question.current.id,
        "answer_id": shown.id,
    }


def _checkpoint_world(owner, teacher) -> dict:
    """A published course of teacher A with a checkpoint in its lesson; learner A answered
    it (in words that name them) and practised its question today."""
    from lms.assessment import practice
    from lms.assessment.checkpoints import add_checkpoint, answer_checkpoint
    from lms.assessment.questions import QuestionData, create_question

    course = courses.create_course(courses.CourseSettings(title="练习课"), actor=teacher)
    course.status, course.published_at = "published", utcnow()
    lesson = courses.add_lesson(course, "练习一课", actor=teacher)
    lesson.asset = VideoAsset(status="ready", duration=60.0, source_filename="b.mp4")
    courses.enrol(course, owner)
    question = create_question(
        course,
        QuestionData(type="fill_blank", stem="练习题机密：____", blanks=[["答案"]]),
        actor=teacher,
    )
    db.session.flush()
    checkpoint = add_checkpoint(lesson, question.id, 10, actor=teacher)
    answer_checkpoint(checkpoint, owner.id, ["甲学员机密"], utcnow())
    day = practice.todays_practice(owner.id, utcnow())
    practice.answer_practice(day, question.id, ["甲学员机密"], utcnow())
    db.session.commit()
    return {"checkpoint_id": checkpoint.id}


def url_for_rule(rule, ids) -> str:
    url = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        if hasattr(converter, "items"):  # any(...): the first choice
            value = (
                sorted(converter.items)[0]
                if isinstance(converter.items, set)
                else list(converter.items)[0]
            )
        else:
            value = ids.get(argument, 1)
        url = re.sub(rf"<(?:[^:<>]+(?:\([^)]*\))?:)?{argument}>", str(value), url)
    return url


def leaked(body: str) -> list[str]:
    return [secret for secret in SECRETS if secret in body]


def test_no_route_leaks_another_persons_data_or_fails(app, world, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # collect every 500, not just the first
    problems = []
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]
    clients = {"anonymous": app.test_client()}
    for role, user in world.others.items():
        clients[role] = login_as(user, on=app.test_client())
    for role, client in clients.items():
        for rule in rules:
            if "GET" not in rule.methods:
                continue
            url = url_for_rule(rule, world.ids)
            response = client.get(url)
            body = (
                response.get_data(as_text=True)
                if response.mimetype.startswith(("text/", "application/json"))
                else ""
            )
            if response.status_code >= 500:
                problems.append((role, "GET", url, response.status_code))
            elif rule.endpoint not in PUBLIC_BY_DESIGN and leaked(body):
                problems.append((role, "GET", url, leaked(body)))
        token = csrf_token_of(client, "/privacy")
        for rule in rules:
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                url = url_for_rule(rule, world.ids)
                response = client.open(
                    url,
                    method=method,
                    data={"csrf_token": token},
                    headers={"X-CSRFToken": token, "Tus-Resumable": "1.0.0"},
                )
                if response.status_code >= 500:
                    problems.append((role, method, url, response.status_code))
                elif (
                    response.status_code < 300
                    and rule.endpoint not in PUBLIC_BY_DESIGN
                    and leaked(response.get_data(as_text=True))
                ):
                    problems.append((role, method, url, "leak"))
    assert problems == []


# Ids a person can type that are not ids: a superscript (isdigit() but not int()),
# Arabic-Indic digits (\d and int() both take them), a number no column holds, nothing.
ODD_IDS = ("²", "١٢", "99999999999999999999999", "")


def urls_with_one_odd_id(rule, ids):
    """The rule's URL with one argument at a time replaced by each odd id."""
    for argument in rule.arguments:
        if hasattr(rule._converters[argument], "items"):  # any(...): a fixed choice
            continue
        for odd in ODD_IDS:
            yield url_for_rule(rule, {**ids, argument: odd})


def test_odd_ids_never_fail(app, world, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    problems = []
    rules = [r for r in app.url_map.iter_rules() if r.arguments and r.endpoint not in SKIPPED]
    clients = {"anonymous": app.test_client()}
    for role, user in world.others.items():
        clients[role] = login_as(user, on=app.test_client())
    for role, client in clients.items():
        token = csrf_token_of(client, "/privacy")
        for rule in rules:
            for url in urls_with_one_odd_id(rule, world.ids):
                for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
                    response = client.open(
                        url,
                        method=method,
                        data={"csrf_token": token} if method != "GET" else None,
                        headers={"X-CSRFToken": token, "Tus-Resumable": "1.0.0"},
                    )
                    if response.status_code >= 500:
                        problems.append((role, method, url, response.status_code))
    assert problems == []


def test_odd_numbers_in_the_query_never_fail(app, world, login_as, make_user):
    """Page numbers and years come from the query string: the same odd values."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    problems = []
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments and "GET" in rule.methods and rule.endpoint not in SKIPPED
    ]
    clients = {
        "learner": login_as(world.others["learner"], on=app.test_client()),
        "admin": login_as(make_user("admin"), on=app.test_client()),
    }
    for role, client in clients.items():
        for rule in rules:
            for odd in (*ODD_IDS, "-99999999999999999999999", "99999"):
                for name in ("page", "year"):
                    response = client.get(rule.rule, query_string={name: odd})
                    if response.status_code >= 500:
                        problems.append((role, rule.rule, name, odd))
    assert problems == []
