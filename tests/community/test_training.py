"""Workplace training: assignments, the ledger a manager sees, the XLSX export."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.community import training
from lms.community.models import Organisation, OrganisationMember, TrainingAssignment
from lms.community.services import CommunityError
from lms.courses.models import Course, Enrolment
from lms.credits.models import CourseCompletion
from lms.extensions import db
from lms.timeutil import local_date, utcnow
from lms.web.exports import XLSX_MIMETYPE
from tests.community.helpers import user
from tests.factories import study


def assign(app, org, course, *, days=10, title="安全培训", learner_ids=None):
    with app.app_context():
        assignment = training.assign_training(
            db.session.get(Organisation, org.id),
            db.session.get(Course, course.id),
            title,
            local_date(utcnow()) + timedelta(days=days),
            actor=user(org.manager.id),
            learner_ids=learner_ids,
        )
        db.session.commit()
        return assignment.id


def ledger_names(client, org_id, path="training/ledger"):
    page = client.get(f"/organisations/{org_id}/{path}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_manager_sees_only_their_own_members_training(
    app, client, make_learners, make_course, make_organisation, login_as
):
    both, only_a, only_b = make_learners(3, names=("两边都在", "只在甲", "只在乙"))
    org_a = make_organisation(members=[both, only_a], name="甲公司")
    org_b = make_organisation(members=[both, only_b], name="乙公司")
    course = make_course()
    assign(app, org_a, course, title="甲的培训", learner_ids=[both.id, only_a.id])
    b_assignment = assign(app, org_b, course, title="乙的培训", learner_ids=[both.id, only_b.id])
    login_as(org_a.manager)
    page = ledger_names(client, org_a.id)
    assert "甲的培训" in page and "只在甲" in page and "两边都在" in page
    assert "乙的培训" not in page and "只在乙" not in page
    # Another organisation's assignment under one's own organisation: 404.
    assert client.get(f"/organisations/{org_a.id}/training/{b_assignment}").status_code == 404
    assert (
        client.get(
            f"/organisations/{org_a.id}/training/ledger.xlsx?assignment={b_assignment}"
        ).status_code
        == 404
    )
    assert client.get(f"/organisations/{org_b.id}/training/{b_assignment}").status_code == 404


def test_a_member_who_leaves_leaves_the_ledger(
    app, client, make_user, make_course, make_organisation, login_as
):
    staying, leaving = make_user(display_name="留下的"), make_user(display_name="离开的")
    org = make_organisation(members=[staying, leaving])
    assign(app, org, make_course(), learner_ids=[staying.id, leaving.id])
    with app.app_context():
        db.session.delete(
            db.session.scalar(
                select(OrganisationMember).where(OrganisationMember.user_id == leaving.id)
            )
        )
        db.session.commit()
    login_as(org.manager)
    page = ledger_names(client, org.id)
    assert "留下的" in page and "离开的" not in page
    login_as(leaving)
    assert "安全培训" not in client.get("/training/").get_data(as_text=True)


def test_assigning_enrols_members_and_refuses_bad_deadlines_and_drafts(
    app, make_user, make_course, make_organisation
):
    member = make_user()
    org = make_organisation(members=[member])
    course, draft = make_course(), make_course(status="draft")
    assign(app, org, course, learner_ids=[member.id])
    with app.app_context():
        assert db.session.scalar(
            select(Enrolment).where(
                Enrolment.learner_id == member.id, Enrolment.course_id == course.id
            )
        )
        organisation = db.session.get(Organisation, org.id)
        with pytest.raises(CommunityError):
            training.assign_training(
                organisation,
                db.session.get(Course, course.id),
                "过期",
                local_date(utcnow()) - timedelta(days=1),
                actor=user(org.manager.id),
            )
        with pytest.raises(CommunityError):
            training.assign_training(
                organisation,
                db.session.get(Course, draft.id),
                "草稿",
                local_date(utcnow()) + timedelta(days=1),
                actor=user(org.manager.id),
            )


def test_ledger_lines_say_completed_overdue_and_in_progress(
    app, make_learners, make_course, make_organisation
):
    done, going, idle = make_learners(3)
    org = make_organisation(members=[done, going, idle])
    course = make_course(lessons=2)
    assignment_id = assign(app, org, course, days=0, learner_ids=[done.id, going.id, idle.id])
    study(app, done.id, course.lesson_ids[0], 1.0, seconds=3600, done=True)
    study(app, going.id, course.lesson_ids[0], 0.5, seconds=1800)
    with app.app_context():
        db.session.add(CourseCompletion(learner_id=done.id, course_id=course.id))
        db.session.commit()
        organisation = db.session.get(Organisation, org.id)
        lines = {
            line.learner_id: line
            for line in training.ledger_lines(
                db.session.scalars(training.ledger_query(organisation, assignment_id=assignment_id))
            )
        }
        assert lines[done.id].status == "completed"
        assert lines[done.id].hours == 1.0 and lines[done.id].progress == 1.0
        assert lines[going.id].status == "in_progress"
        assert lines[going.id].progress == pytest.approx(0.25)
        assert lines[idle.id].status == "not_started"
        today = local_date(utcnow())
        assert training.line_status(today, None, 0.5, today + timedelta(days=1)) == "overdue"
        late_at = utcnow() + timedelta(days=2)
        assert training.line_status(today, late_at, 1.0, today) == "completed_late"


def test_the_ledger_exports_as_xlsx_with_formulas_defused(
    app, client, make_user, make_course, make_organisation, login_as
):
    member = make_user(display_name="=HYPERLINK(1)")
    org = make_organisation(members=[member])
    assign(app, org, make_course(), title="年度安全培训", learner_ids=[member.id])
    login_as(org.manager)
    response = client.get(f"/organisations/{org.id}/training/ledger.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    member_rows = [row for row in rows if row[2] == "年度安全培训"]
    assert len(member_rows) == 1
    assert member_rows[0][0] == "'=HYPERLINK(1)"
    login_as(member)
    assert client.get(f"/organisations/{org.id}/training/ledger.xlsx").status_code == 403


def test_members_see_their_assignments_and_newcomers_can_be_added(
    app, client, make_user, make_course, make_organisation, login_as, csrf_token
):
    first, newcomer = make_user(), make_user()
    org = make_organisation(members=[first])
    assignment_id = assign(app, org, make_course(), title="消防培训")
    login_as(first)
    assert "消防培训" in client.get("/training/").get_data(as_text=True)
    with app.app_context():
        from lms.community import services

        services.join_with_code(org.code, user=user(newcomer.id))
        db.session.commit()
    login_as(newcomer)
    assert "消防培训" not in client.get("/training/").get_data(as_text=True)
    login_as(org.manager)
    client.post(
        f"/organisations/{org.id}/training/{assignment_id}/assign-new",
        data={"csrf_token": csrf_token()},
    )
    login_as(newcomer)
    assert "消防培训" in client.get("/training/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TrainingAssignment, assignment_id).title == "消防培训"
