"""Learning card pages: the learner's own card, one learner's card, a printed sheet.

Pages only show cards; a card is issued by a POST (the button on the page shown to
someone without one), by the demo seeder, or by ``flask lms`` commands.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from lms.accounts.models import User
from lms.accounts.permissions import role_required
from lms.attendance import tokens
from lms.attendance.cards import card_of, cards_of, get_or_issue_card, issue_cards, reissue_card
from lms.attendance.forms import CardSheetForm
from lms.attendance.models import Signup
from lms.attendance.permissions import (
    get_card_learner_or_404,
    get_managed_session_or_404,
    scope_town_ids,
)
from lms.attendance.qr import qr_png_data_uri
from lms.extensions import db

CARDS_PER_SHEET = 10  # 2 × 5 cards of 85.6 × 54 mm on an A4 page


def card_view(learner: User, card) -> dict:
    return {
        "learner": learner,
        "card": card,
        "image": qr_png_data_uri(tokens.card_payload(card.token), scale=8, border=2),
    }


def _card_page(learner: User, *, own: bool):
    card = card_of(learner.id)
    return render_template(
        "attendance/card.html",
        learner=learner,
        cards=[card_view(learner, card)] if card else [],
        own=own,
    )


@login_required
def my_card():
    """GET shows the card; POST issues it to someone who has none yet."""
    if request.method == "POST":
        get_or_issue_card(current_user)
        return redirect(url_for("attendance.my_card"))
    return _card_page(current_user, own=True)


@role_required("staff", "admin")
def learner_card(learner_id: int):
    """GET shows the learner's card; POST issues one if they have none yet."""
    learner = get_card_learner_or_404(learner_id)
    if request.method == "POST":
        get_or_issue_card(learner)
        return redirect(url_for("attendance.learner_card", learner_id=learner.id))
    return _card_page(learner, own=False)


@role_required("staff", "admin")
def reissue(learner_id: int):
    learner = get_card_learner_or_404(learner_id)
    reissue_card(learner, actor=current_user)
    flash(_("A new card is issued; the old card no longer works."), "ok")
    return redirect(url_for("attendance.learner_card", learner_id=learner.id))


def _sheet_query(form: CardSheetForm):
    """Learners in the staff's 镇街, or on one of their classes' rosters."""
    query = select(User).where(User.role_rows.any(role="learner"))
    towns = scope_town_ids(current_user)
    if form.session.data:
        class_session = get_managed_session_or_404(form.session.data)
        signed_up = select(Signup.learner_id).where(
            Signup.class_session_id == class_session.id, Signup.cancelled_at.is_(None)
        )
        query = query.where(User.id.in_(signed_up))
    elif towns is not None:
        query = query.where(User.town_id.in_(towns))
    if form.q.data:
        pattern = f"%{form.q.data.strip().lower()}%"
        phone = User.phone.like(pattern)
        if towns is not None:
            # A roster holds learners of other 镇街 too: matching their numbers a few
            # digits at a time would spell out a number the staff may not see.
            phone &= User.town_id.in_(towns)
        query = query.where(
            or_(User.username.like(pattern), func.lower(User.display_name).like(pattern), phone)
        )
    return query.order_by(User.display_name, User.id)


@role_required("staff", "admin")
def card_sheet():
    """GET shows one A4 sheet of cards; POST issues cards to the learners of that sheet
    who have none yet (the filters and page are in the query string either way)."""
    form = CardSheetForm(request.args)
    page = db.paginate(
        _sheet_query(form),
        page=request.args.get("page", 1, type=int),
        per_page=CARDS_PER_SHEET,
        error_out=False,
    )
    learners = list(page.items)
    if request.method == "POST":
        issue_cards(learners)
        return redirect(url_for("attendance.card_sheet", **request.args))
    cards = cards_of(learners)
    return render_template(
        "attendance/card_sheet.html",
        form=form,
        page=page,
        cards=[
            card_view(learner, cards[learner.id]) for learner in learners if learner.id in cards
        ],
        without_card=[learner for learner in learners if learner.id not in cards],
    )
