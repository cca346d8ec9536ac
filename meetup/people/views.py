"""Profiles: edit your own, see others' as far as they allow."""

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from meetup import images
from meetup.database import transaction
from meetup.extensions import db
from meetup.labels import PROFILE_AUDIENCES
from meetup.models import User
from meetup.people import forms
from meetup.people.matching import MAX_ITEMS, MAX_TOPICS, clean_items
from meetup.policy import may_see_profile, visible_people

bp = Blueprint("people", __name__, url_prefix="/people")
PHOTO_SIZE = 400


def missing_parts(user: User) -> list[str]:
    """What a pointed profile still lacks, for the completeness hint."""
    checks = [(user.headline, _("a headline")), (user.company, _("your company")),
              (user.industry, _("your industry")), (user.topics, _("a few topics")),
              (user.offers, _("what you offer")), (user.needs, _("what you are looking for"))]
    return [label for value, label in checks if not value]


def popular_topics(limit: int = 40) -> list[str]:
    """Topics already in use, to suggest and avoid near-duplicates; only from
    profiles the viewer may see."""
    seen, result = set(), []
    for topics in db.session.scalars(select(User.topics).where(
            User.topics.is_not(None), visible_people(current_user))
                                     .order_by(User.id.desc()).limit(300)):
        for topic in clean_items(topics or [], MAX_TOPICS):
            if topic.casefold() not in seen:
                seen.add(topic.casefold())
                result.append(topic)
    return sorted(result, key=str.casefold)[:limit]


@bp.route("/me", methods=["GET", "POST"])
@login_required
def edit():
    form = forms.ProfileForm(obj=current_user)
    if not form.is_submitted():
        form.topics.data = ", ".join(current_user.topics or [])
        form.offers.data = "\n".join(current_user.offers or [])
        form.needs.data = "\n".join(current_user.needs or [])
    if form.validate_on_submit():
        try:
            photo = new_photo(form)  # resizing is CPU work: before the transaction
        except images.ImageError as error:
            form.photo.errors.append(str(error))
        else:
            with transaction():
                save_profile(form, photo)
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("people.show", user_id=current_user.id))
    audience = PROFILE_AUDIENCES[current_user.profile_visibility]
    return render_template("people/edit.html", form=form, missing=missing_parts(current_user),
                           suggestions=popular_topics(),
                           audience=audience), 422 if form.errors else 200


def new_photo(form: forms.ProfileForm) -> str | None:
    """The photo's file name after this form: a new upload stored, None when
    removed, else the current one. Raises ImageError for an unusable upload."""
    upload = form.photo.data
    if form.remove_photo.data:
        return None
    if upload and getattr(upload, "filename", ""):
        png = images.process(upload.read(images.MAX_BYTES + 1), PHOTO_SIZE)
        return images.store("photos", current_user.id, png)
    return current_user.photo


def save_profile(form: forms.ProfileForm, photo: str | None) -> None:
    for name in ("headline", "position", "company", "industry", "city", "website",
                 "linkedin", "xing", "bio", "profile_visibility"):
        setattr(current_user, name, getattr(form, name).data or "")
    current_user.topics = clean_items(forms.split_lines(form.topics.data), MAX_TOPICS)
    current_user.offers = clean_items(forms.split_lines(form.offers.data), MAX_ITEMS)
    current_user.needs = clean_items(forms.split_lines(form.needs.data), MAX_ITEMS)
    current_user.photo = photo
    current_user.phone = form.phone.data or ""
    current_user.birthday_day = form.birthday_day.data
    current_user.birthday_month = form.birthday_month.data


@bp.get("/<int:user_id>/photo")
@login_required
def photo(user_id: int):
    person = db.get_or_404(User, user_id)
    if not person.photo or not may_see_profile(current_user, person):
        abort(404)
    response = send_file(images.path_of("photos", person.photo), mimetype="image/png",
                         max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<int:user_id>")
@login_required
def show(user_id: int):
    person = db.get_or_404(User, user_id)
    if not may_see_profile(current_user, person):
        abort(404)
    missing = missing_parts(person) if person.id == current_user.id else []
    return render_template("people/show.html", person=person, missing=missing)
