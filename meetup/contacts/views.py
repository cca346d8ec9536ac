"""After the evening: whom did you meet, my contacts, a contact's card, blocks, vCards."""

import uuid

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from meetup import policy
from meetup.contacts import forms, queries, services, vcard
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.models import RSVP, ContactCard, Event, utcnow
from meetup.pagination import paginate
from meetup.urls import external_url

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
PER_PAGE = 20


@bp.get("/")
@login_required
def index():
    form = forms.SearchForm(request.args)
    valid = form.validate()  # an overlong search word gets its message, not a query
    now = utcnow()
    today = queries.today_for(current_user, now)
    due_only = request.args.get("due") == "1"
    query = queries.contact_list(current_user, (form.q.data or "") if valid else "",
                                 today if due_only else None)
    page = paginate(query, PER_PAGE)
    cards = page.items
    return render_template(
        "contacts/index.html", form=form, page=page, due_only=due_only,
        prompts=queries.prompts(current_user, now), today=today,
        open_meetings=queries.open_meetings(current_user, now),
        due=queries.due_count(current_user, now),
        events=queries.shared_events(current_user, cards), tags=queries.tags_of(cards),
        shown=policy.visible_profiles(current_user, [card.other for card in cards]),
    ), 200 if valid else 422


# --- whom did you meet ------------------------------------------------------------

def _meet_page(event: Event, mine: RSVP, form: forms.MeetForm | None = None,
               status: int = 200):
    meeting = queries.meeting(event, current_user, mine)
    if form is None:
        form = forms.MeetForm(choices=_choices(meeting), people=sorted(meeting.marked))
    return render_template("contacts/met.html", event=event, meeting=meeting,
                           form=form, chosen=set(form.people.data or [])), status


def _choices(meeting: queries.Meeting) -> list[tuple[int, str]]:
    return [(person.id, person.name) for person in meeting.people
            if person.id not in meeting.met]


@bp.get("/met/<int:event_id>")
@login_required
def meet(event_id: int):
    return _meet_page(*policy.load_meeting(event_id, utcnow()))


@bp.post("/met/<int:event_id>")
@login_required
def record(event_id: int):
    policy.ensure_taking_part(current_user)  # a mark tells the other person
    event, mine = policy.load_meeting(event_id, utcnow())
    form = forms.MeetForm(choices=_choices(queries.meeting(event, current_user, mine)))
    if not form.validate_on_submit():
        return _meet_page(event, mine, form, 422)
    try:
        with transaction():
            event, mine = policy.load_meeting(event_id, utcnow(), lock=True)
            new = services.record_meetings(event, current_user, mine, form.people.data)
    except RuleError as error:
        form.people.errors = [error.message]
        return _meet_page(*policy.load_meeting(event_id, utcnow()), form, error.status)
    flash(ngettext("Saved. You have one new contact.", "Saved. You have %(num)d new contacts.",
                   new) if new else
          _("Saved. Your marks stay private until the other person marks you too."),
          "success")
    return redirect(url_for("contacts.meet", event_id=event_id))


@bp.post("/met/<int:event_id>/confirm/<int:user_id>")
@login_required
def confirm(event_id: int, user_id: int):
    policy.ensure_taking_part(current_user)
    with transaction():
        event, _mine = policy.load_meeting(event_id, utcnow(), lock=True)
        services.confirm(event, current_user, user_id)
    flash(_("Confirmed. You will find the contact below."), "success")
    return redirect(url_for("contacts.index"))


@bp.post("/met/<int:event_id>/ignore/<int:user_id>")
@login_required
def ignore(event_id: int, user_id: int):
    with transaction():
        services.ignore(event_id, current_user, user_id)
    flash(_("The note is gone. Nobody is told."), "success")
    return redirect(url_for("contacts.index"))


# --- one contact ------------------------------------------------------------------

def _card_page(card: ContactCard, form: forms.CardForm, status: int = 200):
    return render_template(
        "contacts/show.html", card=card, form=form, person=card.other,
        shown=policy.may_see_profile(current_user, card.other),
        events=queries.shared_events(current_user, [card]).get(card.contact_id, []),
    ), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
def show(user_id: int):
    card = policy.load_card(user_id)
    form = forms.CardForm(obj=card)
    if request.method == "GET":
        form.tags.data = ", ".join(queries.tags_of([card]).get(card.id, []))
    if not form.validate_on_submit():
        return _card_page(card, form, 422 if form.errors else 200)
    with transaction():
        card = policy.load_card(user_id)
        services.save_card(card, form.note.data or "", forms.split_tags(form.tags.data),
                           form.follow_up_on.data)
    flash(_("Your notes are saved. Only you can see them."), "success")
    return redirect(url_for("contacts.show", user_id=user_id))


@bp.post("/<int:user_id>/remove")
@login_required
def remove(user_id: int):
    with transaction():
        card = policy.load_card(user_id)
        name = card.other.name
        services.remove_contact(card)
    flash(_("%(name)s is no longer among your contacts.", name=name), "success")
    return redirect(url_for("contacts.index"))


# --- blocks -----------------------------------------------------------------------

@bp.get("/blocked")
@login_required
def blocked():
    return render_template("contacts/blocked.html", blocks=queries.blocked_people(current_user))


@bp.post("/block/<int:user_id>")
@login_required
def block(user_id: int):
    with transaction():
        services.block(current_user, user_id)
    flash(_("Blocked. You no longer see each other's profiles, and neither of you can "
            "mark the other."), "success")
    return redirect(url_for("contacts.blocked"))


@bp.post("/unblock/<int:user_id>")
@login_required
def unblock(user_id: int):
    with transaction():
        services.unblock(current_user, user_id)
    flash(_("The block is lifted."), "success")
    return redirect(url_for("contacts.blocked"))


# --- vCards -----------------------------------------------------------------------

def _version() -> str:
    version = request.args.get("version", "3.0")
    if version not in vcard.VERSIONS:
        raise RuleError(_("Please choose vCard version 3.0 or 4.0."), 422)
    return version


def _entries(cards: list[ContactCard]) -> list[vcard.Entry]:
    shown = policy.visible_profiles(current_user, [card.other for card in cards])
    return [vcard.Entry(card.other, person_uid(card.other_id), card.other_id in shown)
            for card in cards]


def person_uid(user_id: int) -> str:
    """The same UID in every export, so address books update instead of duplicating."""
    url = external_url("people.show", user_id=user_id)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def _vcard_response(body: bytes, filename: str) -> Response:
    return Response(body, content_type="text/vcard; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})


@bp.get("/<int:user_id>.vcf")
@login_required
def vcard_one(user_id: int):
    version = _version()
    body = vcard.cards(_entries([policy.load_card(user_id)]), version, utcnow())
    return _vcard_response(body, f"kontakt-{user_id}.vcf")


@bp.get("/all.vcf")
@login_required
def vcard_all():
    version = _version()
    cards = queries.all_cards(current_user)
    return _vcard_response(vcard.cards(_entries(cards), version, utcnow()), "kontakte.vcf")
