"""The training ledger export is audited; a refused assignment leaves nothing behind."""

from datetime import timedelta

from sqlalchemy import select

from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.community import services, training
from lms.community.models import Organisation, TrainingAssignment
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import local_date, utcnow


def test_the_ledger_export_is_audited_as_personal_data(
    app, client, make_user, make_course, make_organisation, login_as
):
    member = make_user(display_name="王小明")
    org = make_organisation(members=[member])
    course = make_course()
    with app.app_context():
        assignment = training.assign_training(
            db.session.get(Organisation, org.id),
            db.session.get(Course, course.id),
            "安全培训",
            local_date(utcnow()) + timedelta(days=7),
            actor=db.session.get(User, org.manager.id),
        )
        db.session.commit()
        assignment_id = assignment.id
    login_as(org.manager)
    response = client.get(
        f"/organisations/{org.id}/training/ledger.xlsx?assignment={assignment_id}"
    )
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="training-ledger-{org.id}.xlsx"'
    )
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.action, event.actor_id, event.target_type, event.target_id) == (
            "personal_data.exported",
            org.manager.id,
            "training_ledger",
            str(org.id),
        )
        assert event.details == {
            "assignment_id": assignment_id,
            "filename": f"training-ledger-{org.id}.xlsx",
        }


def test_a_refused_assignment_leaves_nothing_behind(
    app, client, make_user, make_course, login_as, csrf_token
):
    """The service saves the assignment, then finds nobody in the organisation to give
    it to: the page says so, and the half-made assignment is not kept."""
    admin = make_user("admin")
    course = make_course()
    with app.app_context():
        empty = services.create_organisation(
            services.OrganisationSettings("无人企业", "enterprise", None),
            actor=db.session.get(User, admin.id),
        )
        db.session.commit()
        empty_id = empty.id
        deadline = local_date(utcnow()) + timedelta(days=7)
    login_as(admin)
    page = client.post(
        f"/organisations/{empty_id}/training/new",
        data={
            "csrf_token": csrf_token(),
            "course_id": course.id,
            "title": "没人的培训",
            "deadline": deadline.isoformat(),
        },
    )
    assert page.status_code == 200
    assert "没有可布置的成员" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(TrainingAssignment)).all() == []
