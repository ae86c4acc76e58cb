"""The bank, exam settings, grading queue, results and learner pages, through the web."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image

from lms.assessment.models import Attempt, Exam, ExamPass, Question, QuestionVersion
from lms.extensions import db
from tests.assessment.helpers import SHORT_ANSWER, SINGLE, make_bank, make_exam
from tests.factories import enrol


@pytest.fixture
def teacher_course(app, make_user, make_course, login_as):
    teacher = make_user("teacher")
    course = make_course(teacher)
    login_as(teacher)
    return teacher, course


def form(csrf, **fields):
    return {"csrf_token": csrf, **fields}


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_teacher_builds_a_bank_and_editing_a_used_question_makes_a_version(
    app, client, csrf_token, teacher_course, make_user
):
    teacher, course = teacher_course
    csrf = csrf_token()
    created = client.post(
        f"/teach/courses/{course.id}/questions/new",
        data=form(
            csrf,
            type="single",
            stem="柯桥属于哪个市？",
            option_a="杭州",
            option_b="绍兴",
            correct="B",
            points="2",
            difficulty="easy",
            tags="地理, 家乡",
            explanation="绍兴市柯桥区",
            image=(io.BytesIO(png_bytes()), "map.png"),
        ),
        content_type="multipart/form-data",
    )
    assert created.status_code == 302
    bank = client.get(f"/teach/courses/{course.id}/questions")
    assert "柯桥属于哪个市" in bank.get_data(as_text=True)
    with app.app_context():
        question = db.session.query(Question).one()
        version_id = question.current.id
        assert question.current.tags == ["地理", "家乡"] and question.current.image_key
    assert client.get(f"/questions/images/{version_id}.jpg").mimetype == "image/jpeg"
    exam = make_exam(app, course.id)
    learner = make_user("learner")
    enrol(app, course, learner)
    other = app.test_client()
    from tests.web_client import csrf_token_of, log_in_as

    log_in_as(other, learner)
    other.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": csrf_token_of(other)})
    edited = client.post(
        f"/teach/courses/{course.id}/questions/{question.id}",
        data=form(
            csrf,
            type="single",
            stem="柯桥区属于哪个市？",
            option_a="杭州",
            option_b="绍兴",
            correct="B",
            points="2",
            difficulty="easy",
        ),
    )
    assert edited.status_code == 302
    with app.app_context():
        versions = db.session.query(QuestionVersion).order_by(QuestionVersion.number).all()
        assert [v.number for v in versions] == [1, 2]
        attempt = db.session.query(Attempt).one()
        assert attempt.questions[0].version.stem == "柯桥属于哪个市？"  # keeps what it showed


def test_a_bad_image_is_refused(app, client, csrf_token, teacher_course):
    _, course = teacher_course
    response = client.post(
        f"/teach/courses/{course.id}/questions/new",
        data=form(
            csrf_token(),
            type="true_false",
            stem="对吗？",
            true_false="true",
            points="1",
            difficulty="medium",
            image=(io.BytesIO(b"not an image"), "x.png"),
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.query(Question).count() == 0


def sheet_with(rows) -> io.BytesIO:
    from lms.assessment.importing import HEADER

    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


GOOD_ROW = ["单选", "一加一等于几？", "1", "2", "3", "", "", "", "B", 1, "易", "算术", ""]
BAD_ROWS = [
    ["单选", "没有答案的题", "1", "2", "", "", "", "", "", 1, "易", "", ""],
    ["问答", "不认识的题型", "", "", "", "", "", "", "x", 1, "易", "", ""],
    ["判断", "判断题", "", "", "", "", "", "", "也许", 1, "易", "", ""],
    ["多选", "选项是空的", "1", "", "", "", "", "", "AB", 1, "中", "", ""],
    ["填空", "分值不对____", "", "", "", "", "", "", "a", "很多", "中", "", ""],
]


def test_an_import_with_bad_rows_reports_each_row_and_imports_nothing(
    app, client, csrf_token, teacher_course
):
    _, course = teacher_course
    response = client.post(
        f"/teach/courses/{course.id}/questions/import",
        data=form(csrf_token(), file=(sheet_with([GOOD_ROW, *BAD_ROWS]), "bank.xlsx")),
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="refused"') == 6  # five bad rows and the good one left out
    with app.app_context():
        assert db.session.query(Question).count() == 0
    # the teacher asks for the good rows only
    client.post(
        f"/teach/courses/{course.id}/questions/import",
        data=form(
            csrf_token(), good_rows_only="y", file=(sheet_with([GOOD_ROW, *BAD_ROWS]), "b.xlsx")
        ),
        content_type="multipart/form-data",
    )
    with app.app_context():
        assert db.session.query(Question).count() == 1


def test_the_template_imports_and_the_export_round_trips(app, client, csrf_token, teacher_course):
    _, course = teacher_course
    template = client.get("/teach/questions/template.xlsx")
    assert template.status_code == 200
    response = client.post(
        f"/teach/courses/{course.id}/questions/import",
        data=form(csrf_token(), file=(io.BytesIO(template.data), "template.xlsx")),
        content_type="multipart/form-data",
    )
    assert 'class="refused"' not in response.get_data(as_text=True)
    exported = client.get(f"/teach/courses/{course.id}/questions.xlsx")
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert len(rows) == 6 and rows[0][0] == "题型"
    assert {row[0] for row in rows[1:]} == {"单选", "多选(部分得分)", "判断", "填空", "简答"}


def test_the_import_command_refuses_bad_rows(app, tmp_path, teacher_course):
    _, course = teacher_course
    path = tmp_path / "bank.xlsx"
    path.write_bytes(sheet_with([GOOD_ROW, BAD_ROWS[0]]).getvalue())
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["lms", "import-questions", "--course", str(course.id), str(path)])
    assert refused.exit_code == 1 and "row 3" in refused.output
    with app.app_context():
        assert db.session.query(Question).count() == 0
    runner.invoke(
        args=["lms", "import-questions", "--course", str(course.id), "--good-rows-only", str(path)]
    )
    with app.app_context():
        assert db.session.query(Question).count() == 1


def test_exam_settings_blueprint_and_publishing(app, client, csrf_token, teacher_course):
    _, course = teacher_course
    make_bank(app, course.id)
    csrf = csrf_token()
    created = client.post(
        f"/teach/courses/{course.id}/exams/new",
        data=form(
            csrf,
            title="期末",
            kind="online",
            selection="blueprint",
            time_limit_minutes="20",
            attempts_allowed="2",
            pass_percent="60",
            grading_method="highest",
            review_policy="explanations",
            required_for_completion="y",
        ),
    )
    assert created.status_code == 302
    with app.app_context():
        exam_id = db.session.query(Exam.id).scalar()
    client.post(
        f"/teach/exams/{exam_id}/rules",
        data={
            "csrf_token": csrf,
            "rule_count": ["1", "1", ""],
            "rule_type": ["single", "", ""],
            "rule_difficulty": ["", "hard", ""],
            "rule_tag": ["", "", ""],
        },
    )
    client.post(f"/teach/exams/{exam_id}/publish", data=form(csrf))
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.is_published and exam.required_for_completion
        assert [(r.count, r.type, r.difficulty) for r in exam.rules] == [
            (1, "single", None),
            (1, None, "hard"),
        ]
    page = client.get(f"/teach/exams/{exam_id}").get_data(as_text=True)
    assert "期末" in page
    # a blueprint the bank cannot fill is not published
    client.post(
        f"/teach/exams/{exam_id}/rules",
        data={
            "csrf_token": csrf,
            "rule_count": ["9"],
            "rule_type": ["single"],
            "rule_difficulty": [""],
            "rule_tag": [""],
        },
    )
    client.post(f"/teach/exams/{exam_id}/publish", data=form(csrf, unpublish="1"))
    client.post(f"/teach/exams/{exam_id}/publish", data=form(csrf))
    with app.app_context():
        assert not db.session.get(Exam, exam_id).is_published


def test_short_answers_are_graded_and_the_result_becomes_final(
    app, client, csrf_token, teacher_course, make_user
):
    teacher, course = teacher_course
    make_bank(app, course.id, (SINGLE, SHORT_ANSWER))
    exam = make_exam(app, course.id, review_policy="explanations")
    learner = make_user("learner")
    enrol(app, course, learner)
    from tests.web_client import csrf_token_of, log_in_as

    learner_client = app.test_client()
    log_in_as(learner_client, learner)
    headers = {"X-CSRFToken": csrf_token_of(learner_client)}
    body = learner_client.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers).json
    by_type = {q["type"]: q for q in body["questions"]}
    with app.app_context():
        right = db.session.get(Attempt, body["attempt_id"]).questions
        key = {aq.question_id: aq.version.correct_option_ids for aq in right}
    single = by_type["single"]
    learner_client.put(
        f"/api/v1/attempts/{body['attempt_id']}/answers/{single['id']}",
        json={"answer": list(key[single["id"]])},
        headers=headers,
    )
    learner_client.put(
        f"/api/v1/attempts/{body['attempt_id']}/answers/{by_type['short_answer']['id']}",
        json={"answer": "不轻信陌生来电，先核实"},
        headers=headers,
    )
    learner_client.post(f"/api/v1/attempts/{body['attempt_id']}/submit", headers=headers)
    queue = client.get(f"/teach/exams/{exam.id}/grading").get_data(as_text=True)
    assert "不轻信陌生来电，先核实" in queue
    with app.app_context():
        answer_id = next(
            aq.id
            for aq in db.session.get(Attempt, body["attempt_id"]).questions
            if aq.needs_grading
        )
    client.post(
        f"/teach/exams/{exam.id}/grading/{answer_id}",
        data=form(csrf_token(), score="4", comment="很好"),
    )
    with app.app_context():
        attempt = db.session.get(Attempt, body["attempt_id"])
        assert attempt.state == "graded" and attempt.score == 6.0 and attempt.passed
        assert db.session.query(ExamPass).count() == 1
    review = learner_client.get(f"/exams/attempts/{body['attempt_id']}").get_data(as_text=True)
    assert "很好" in review and "柯桥区是绍兴市的一个区" in review
    results = client.get(f"/teach/exams/{exam.id}/results").get_data(as_text=True)
    assert 'id="distribution"' in results
    items = client.get(f"/teach/exams/{exam.id}/items")
    assert items.status_code == 200
    assert client.get(f"/teach/exams/{exam.id}/results.xlsx").status_code == 200
    assert learner_client.get(f"/courses/{course.id}/exams").status_code == 200
    assert learner_client.get(f"/exams/{exam.id}").status_code == 200
    assert learner_client.get("/my/exams").status_code == 200


def test_a_learner_cannot_reach_teacher_pages_or_other_attempts(
    app, client, csrf_token, make_user, make_course, login_as
):
    course = make_course()
    make_bank(app, course.id, (SINGLE,))
    exam = make_exam(app, course.id)
    owner = make_user("learner")
    enrol(app, course, owner)
    login_as(owner)
    body = client.post(
        f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": csrf_token()}
    ).json
    client.post(
        f"/api/v1/attempts/{body['attempt_id']}/submit", headers={"X-CSRFToken": csrf_token()}
    )
    intruder = make_user("learner")
    enrol(app, course, intruder)
    login_as(intruder)
    assert client.get(f"/exams/attempts/{body['attempt_id']}").status_code == 404
    for path in (
        f"/teach/courses/{course.id}/questions",
        f"/teach/exams/{exam.id}",
        f"/teach/exams/{exam.id}/results",
        f"/teach/exams/{exam.id}/grading",
    ):
        assert client.get(path).status_code == 403, path
    other_teacher = make_user("teacher")
    login_as(other_teacher)
    assert client.get(f"/teach/courses/{course.id}/questions").status_code == 403
    assert client.get(f"/teach/exams/{exam.id}/items").status_code == 403


def test_the_exam_page_shows_its_times_and_rules(app, client, make_user, make_course, login_as):
    from datetime import timedelta

    from lms.timeutil import utcnow

    course = make_course()
    make_bank(app, course.id, (SINGLE,))
    exam = make_exam(app, course.id, closes_at=utcnow() + timedelta(days=2), pass_percent=75)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    page = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "75" in page and 'id="exam-start"' in page and 'id="page-config"' in page
    assert "<script>" not in page  # configuration is data, scripts are modules (CSP)


def test_an_import_larger_than_the_limit_is_refused(app, monkeypatch):
    from lms.assessment import importing
    from lms.assessment.importing import ImportFileError, read_rows

    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 2**20)
    english = app.test_request_context(headers={"Cookie": "lang=en"})
    with english, pytest.raises(ImportFileError, match="larger than 1 MB"):
        read_rows(io.BytesIO(b"x" * (2**20 + 1)))


def test_the_course_page_links_to_exams_only_when_the_course_has_a_published_one(
    app, client, make_user, make_course, login_as
):
    course = make_course()
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    exams_link = f'href="/courses/{course.id}/exams"'
    assert exams_link not in client.get(f"/courses/{course.id}").get_data(as_text=True)

    make_exam(app, course.id, make_bank(app, course.id, [SINGLE]))
    assert exams_link in client.get(f"/courses/{course.id}").get_data(as_text=True)
