"""Evaluations: scores add up to the rating; the award needs an excellent rating."""

import pytest

from lms.community import evaluations
from lms.community.evaluations import ScoreInput, rating_for
from lms.community.models import Evaluation, Organisation
from lms.community.services import CommunityError
from lms.extensions import db
from tests.community.helpers import user


@pytest.mark.parametrize(
    ("total", "rating"),
    [
        (100, "excellent"),
        (90, "excellent"),
        (89, "good"),
        (75, "good"),
        (74, "pass"),
        (60, "pass"),
        (59, "fail"),
        (0, "fail"),
    ],
)
def test_the_rating_follows_the_share_of_the_maximum(total, rating):
    assert rating_for(total, 100) == rating


def criteria(app, admin, maxima=(20, 30, 50)):
    with app.app_context():
        ids = [
            evaluations.add_criterion(f"项目{index}", "", maximum, actor=user(admin.id)).id
            for index, maximum in enumerate(maxima)
        ]
        db.session.commit()
        return ids


def evaluate(app, org_id, admin, scores, year=2025):
    with app.app_context():
        evaluation = evaluations.evaluate(
            db.session.get(Organisation, org_id),
            year,
            [ScoreInput(criterion_id, score, "记录") for criterion_id, score in scores],
            actor=user(admin.id),
        )
        db.session.commit()
        return evaluation.id


def test_evaluation_scores_add_up_to_the_rating(app, make_user, make_organisation):
    admin, org = make_user("admin"), make_organisation()
    ids = criteria(app, admin)
    evaluation_id = evaluate(app, org.id, admin, zip(ids, (18, 25, 47), strict=True))
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        assert evaluation.total_score == 90 == sum(score.score for score in evaluation.scores)
        assert evaluation.max_total == 100 and evaluation.rating == "excellent"
    evaluate(app, org.id, admin, zip(ids, (10, 20, 30), strict=True))  # re-evaluated: 60
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        assert (evaluation.total_score, evaluation.rating) == (60, "pass")
        assert sorted(score.score for score in evaluation.scores) == [10, 20, 30]


def test_scores_above_the_maximum_or_missing_are_refused(app, make_user, make_organisation):
    admin, org = make_user("admin"), make_organisation()
    ids = criteria(app, admin)
    with pytest.raises(CommunityError):
        evaluate(app, org.id, admin, zip(ids, (21, 30, 50), strict=True))
    with pytest.raises(CommunityError):
        evaluate(app, org.id, admin, zip(ids, (-1, 30, 50), strict=True))
    with pytest.raises(CommunityError):
        evaluate(app, org.id, admin, zip(ids[:2], (20, 30), strict=True))


def test_only_an_excellent_rating_is_awarded_and_a_lower_one_withdraws_it(
    app, make_user, make_organisation
):
    admin, org = make_user("admin"), make_organisation()
    ids = criteria(app, admin)
    evaluation_id = evaluate(app, org.id, admin, zip(ids, (15, 20, 40), strict=True))  # 75
    with app.app_context(), pytest.raises(CommunityError):
        evaluations.award(db.session.get(Evaluation, evaluation_id), actor=user(admin.id))
    evaluate(app, org.id, admin, zip(ids, (20, 30, 50), strict=True))
    with app.app_context():
        evaluations.award(db.session.get(Evaluation, evaluation_id), actor=user(admin.id))
        db.session.commit()
    evaluate(app, org.id, admin, zip(ids, (20, 30, 10), strict=True))
    with app.app_context():
        assert db.session.get(Evaluation, evaluation_id).awarded_at is None


def test_the_admin_evaluates_through_the_page_and_others_cannot(
    app, client, make_user, make_organisation, login_as, csrf_token
):
    admin, org = make_user("admin"), make_organisation()
    ids = criteria(app, admin, maxima=(10, 10))
    form = {f"score-{ids[0]}": "9", f"score-{ids[1]}": "10", f"evidence-{ids[0]}": "台账"}
    login_as(org.manager)
    response = client.post(
        f"/organisations/{org.id}/evaluations/2025", data={**form, "csrf_token": csrf_token()}
    )
    assert response.status_code == 403
    login_as(admin)
    page = client.get(f"/organisations/{org.id}/evaluations/2025").get_data(as_text=True)
    assert 'id="rating-rule"' in page and "90%" in page
    client.post(
        f"/organisations/{org.id}/evaluations/2025", data={**form, "csrf_token": csrf_token()}
    )
    with app.app_context():
        evaluation = evaluations.evaluation_for(db.session.get(Organisation, org.id), 2025)
        assert (evaluation.total_score, evaluation.rating) == (19, "excellent")
        assert {s.criterion_id: s.evidence for s in evaluation.scores}[ids[0]] == "台账"
    client.post(f"/evaluations/{evaluation.id}/award", data={"csrf_token": csrf_token()})
    text = app.test_client().get("/honour-roll/?year=2025").get_data(as_text=True)
    assert "测试企业" in text
