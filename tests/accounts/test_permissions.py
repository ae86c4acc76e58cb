from lms.accounts.models import Town, User
from lms.accounts.permissions import (
    can_change_roles,
    can_disable_account,
    can_manage_learner,
    can_register_learner_in,
    people_visible_to,
)
from lms.extensions import db


def visible_names(actor_id: int) -> set[str]:
    actor = db.session.get(User, actor_id)
    return {user.display_name for user in db.session.scalars(people_visible_to(actor))}


def test_staff_see_and_manage_the_learners_of_their_own_town_only(app, make_user, make_town):
    home, elsewhere = make_town(), make_town()
    staff = make_user("staff", town=home)
    make_user("learner", town=home, display_name="本街道学员")
    make_user("learner", town=elsewhere, display_name="外街道学员")
    make_user("teacher", town=home, display_name="本街道老师")
    both = make_user(roles=["learner", "teacher"], town=home, display_name="又学又教")
    with app.app_context():
        assert visible_names(staff.id) == {"本街道学员", "又学又教"}
        actor, teacher_learner = db.session.get(User, staff.id), db.session.get(User, both.id)
        # Listed as a learner, but managed only as a plain learner.
        assert not can_manage_learner(actor, teacher_learner)
        assert can_register_learner_in(actor, db.session.get(Town, home.id))
        assert not can_register_learner_in(actor, db.session.get(Town, elsewhere.id))
        assert not can_register_learner_in(actor, None)


def test_the_admin_sees_everyone_and_never_disables_themself(app, make_user, make_town):
    admin, learner = make_user("admin"), make_user("learner", town=make_town())
    staff_without_town = make_user("staff")
    with app.app_context():
        actor, target = db.session.get(User, admin.id), db.session.get(User, learner.id)
        assert len(visible_names(admin.id)) == 3
        assert can_change_roles(actor, target) and can_disable_account(actor, target)
        assert can_change_roles(actor, actor) and not can_disable_account(actor, actor)
        assert can_register_learner_in(actor, None)
        helper = db.session.get(User, staff_without_town.id)
        helper.town_id = None
        assert visible_names(helper.id) == set()
        assert not can_change_roles(helper, target)
