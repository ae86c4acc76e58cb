"""Organisations: invite codes, managers within the organisation, applications, stats."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.community import services
from lms.community.models import InviteCode, Organisation, OrganisationMember
from lms.community.services import CommunityError
from lms.extensions import db
from lms.study.models import DailyStudy
from lms.timeutil import local_date, utcnow
from tests.community.helpers import user


def member_ids(app, organisation_id):
    with app.app_context():
        return set(
            db.session.scalars(
                select(OrganisationMember.user_id).where(
                    OrganisationMember.organisation_id == organisation_id
                )
            )
        )


def test_invite_codes_are_long_random_and_distinct(app, make_organisation):
    org = make_organisation()
    with app.app_context():
        organisation = db.session.get(Organisation, org.id)
        codes = {
            services.create_invite(organisation, actor=user(org.manager.id)).code for _ in range(20)
        }
    assert len(codes) == 20
    assert all(len(code) >= 32 for code in codes)


def test_a_revoked_invite_code_stops_working(app, make_user, make_organisation):
    org, joiner = make_organisation(), make_user()
    with app.app_context():
        invite = db.session.scalar(select(InviteCode).where(InviteCode.code == org.code))
        services.revoke_invite(invite, actor=user(org.manager.id))
        db.session.commit()
        with pytest.raises(CommunityError):
            services.join_with_code(org.code, user=user(joiner.id))
    assert joiner.id not in member_ids(app, org.id)


def test_joining_through_the_page_and_a_revoked_code_failing_there(
    app, client, make_user, make_organisation, login_as, csrf_token
):
    org, first, second = make_organisation(), make_user(), make_user()
    login_as(first)
    response = client.post(
        "/organisations/join", data={"code": org.code, "csrf_token": csrf_token()}
    )
    assert (
        response.status_code == 302 and f"/organisations/{org.id}" in response.headers["Location"]
    )
    login_as(org.manager)
    with app.app_context():
        invite_id = db.session.scalar(select(InviteCode.id).where(InviteCode.code == org.code))
    client.post(
        f"/organisations/{org.id}/invites/{invite_id}/revoke", data={"csrf_token": csrf_token()}
    )
    login_as(second)
    page = client.post(
        "/organisations/join",
        data={"code": org.code, "csrf_token": csrf_token()},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "邀请码无效" in page  # the refusal, not the form's own "邀请码" label
    assert member_ids(app, org.id) == {org.manager.id, first.id}


def test_unknown_codes_and_codes_of_organisations_not_active_fail(app, make_user):
    learner, applicant = make_user(), make_user()
    with app.app_context():
        organisation = services.apply_for_organisation(
            services.OrganisationSettings("读书会", "association", None),
            applicant=user(applicant.id),
        )
        invite = InviteCode(organisation_id=organisation.id)
        db.session.add(invite)
        db.session.flush()
        for code in ("", "nope", invite.code):
            with pytest.raises(CommunityError):
                services.join_with_code(code, user=user(learner.id))


def test_managers_manage_only_their_own_organisation(
    app, client, make_user, make_organisation, login_as, csrf_token
):
    member_a, member_b = make_user(), make_user()
    org_a, org_b = make_organisation(members=[member_a]), make_organisation(members=[member_b])
    with app.app_context():
        b_member = db.session.scalar(
            select(OrganisationMember).where(OrganisationMember.user_id == member_b.id)
        )
        b_invite = db.session.scalar(select(InviteCode.id).where(InviteCode.code == org_b.code))
        b_member_id = b_member.id
    login_as(org_a.manager)
    assert client.get(f"/organisations/{org_a.id}/members").status_code == 200
    for path in ("", "/members", "/invites", "/training/", "/training/ledger"):
        assert client.get(f"/organisations/{org_b.id}{path}").status_code == 404, path
    token = csrf_token()
    for path in (
        f"/organisations/{org_a.id}/members/{b_member_id}/remove",
        f"/organisations/{org_a.id}/members/{b_member_id}/role",
        f"/organisations/{org_a.id}/invites/{b_invite}/revoke",
        f"/organisations/{org_b.id}/members/{b_member_id}/remove",
    ):
        assert client.post(path, data={"csrf_token": token, "role": "manager"}).status_code == 404
    assert member_b.id in member_ids(app, org_b.id)


def test_a_plain_member_sees_the_organisation_but_does_not_manage_it(
    app, client, make_user, make_organisation, login_as, csrf_token
):
    member = make_user()
    org = make_organisation(members=[member])
    login_as(member)
    assert client.get(f"/organisations/{org.id}").status_code == 200
    assert client.get(f"/organisations/{org.id}/members").status_code == 403
    assert client.get(f"/organisations/{org.id}/training/ledger").status_code == 403
    response = client.post(f"/organisations/{org.id}/invites", data={"csrf_token": csrf_token()})
    assert response.status_code == 403


def test_manager_is_a_role_within_the_organisation(app, make_user, make_organisation):
    member = make_user()
    org = make_organisation(members=[member])
    with app.app_context():
        row = db.session.scalar(
            select(OrganisationMember).where(OrganisationMember.user_id == member.id)
        )
        services.set_member_role(row, "manager", actor=user(org.manager.id))
        db.session.commit()
        assert user(member.id).roles == {"learner"}  # no global role was added
        manager_row = db.session.scalar(
            select(OrganisationMember).where(OrganisationMember.user_id == org.manager.id)
        )
        services.set_member_role(manager_row, "member", actor=user(member.id))
        with pytest.raises(CommunityError):  # the only manager left cannot be removed
            services.remove_member(row, actor=user(member.id))


def test_an_application_becomes_active_when_the_admin_approves(
    app, client, make_user, login_as, csrf_token
):
    applicant, admin = make_user(), make_user("admin")
    login_as(applicant)
    response = client.post(
        "/organisations/new",
        data={"name": "幸福家庭", "kind": "family", "town_id": "0", "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.name == "幸福家庭")
        )
        assert organisation.state == "applied"
        organisation_id = organisation.id
    assert client.get(f"/organisations/{organisation_id}/invites").status_code == 403
    login_as(admin)
    client.post(
        f"/organisations/{organisation_id}/decide",
        data={"decision": "approve", "csrf_token": csrf_token()},
    )
    login_as(applicant)
    assert client.get(f"/organisations/{organisation_id}/invites").status_code == 200
    assert client.get(f"/organisations/{organisation_id}/decide").status_code == 405


def test_a_learner_cannot_decide_applications(app, client, make_user, login_as, csrf_token):
    applicant = make_user()
    with app.app_context():
        organisation = services.apply_for_organisation(
            services.OrganisationSettings("社团", "association", None), applicant=user(applicant.id)
        )
        db.session.commit()
        organisation_id = organisation.id
    login_as(applicant)
    response = client.post(
        f"/organisations/{organisation_id}/decide",
        data={"decision": "approve", "csrf_token": csrf_token()},
    )
    assert response.status_code == 403


def test_statistics_count_members_active_share_and_hours(app, make_user, make_organisation):
    from lms.credits.ledger import Posting, post

    active, idle = make_user(), make_user()
    org = make_organisation(members=[active, idle])
    with app.app_context():
        db.session.add(
            DailyStudy(
                learner_id=active.id,
                day=local_date(utcnow()) - timedelta(days=3),
                credited_seconds=600,
            )
        )
        post(Posting(active.id, "adjustment", "t1", 6.0, 6.0, None, reason="测试"))
        db.session.commit()
        stats = services.organisation_stats(db.session.get(Organisation, org.id))
    assert stats.members == 3  # the manager is a member too
    assert stats.active_members == 1
    assert abs(stats.active_share - 1 / 3) < 1e-9
    assert stats.hours_per_member == 2.0
