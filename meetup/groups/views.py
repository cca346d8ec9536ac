"""Group pages for everyone: browse, show, join, apply, leave, members."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import joinedload

from meetup import images
from meetup.events.services import going_counts, upcoming_events
from meetup.extensions import db
from meetup.groups import forms, services
from meetup.groups.policy import Action, Viewer, can, ensure, viewer_for
from meetup.labels import INDUSTRIES
from meetup.models import (
    Application,
    ApplicationStatus,
    Event,
    EventStatus,
    Group,
    Membership,
    Role,
    User,
    Visibility,
)
from meetup.pagination import paginate
from meetup.people.privacy import visible_condition
from meetup.search import contains, equals

bp = Blueprint("groups", __name__, url_prefix="/groups")
PER_PAGE = 20
ROLE_ORDER = case({Role.OWNER: 0, Role.ORGANISER: 1}, value=Membership.role, else_=2)


def load(slug: str, action: Action) -> tuple[Group, Viewer]:
    """The group and the visitor's standing, or the right denial (see policy)."""
    group = db.first_or_404(select(Group).where(equals(Group.slug, slug)))
    viewer = viewer_for(current_user, group)
    ensure(viewer, action, group)
    return group, viewer



@bp.get("/")
def index():
    form = forms.BrowseForm(request.args)
    valid = form.validate()  # an overlong search word gets its message, not a query
    query = select(Group).where(Group.visibility == Visibility.PUBLIC)
    if not valid:
        query = query.where(false())
    elif form.q.data:
        query = query.where(or_(contains(Group.name, form.q.data),
                                contains(Group.short_description, form.q.data),
                                contains(Group.city, form.q.data)))
    if form.city.data:
        query = query.where(equals(Group.city, form.city.data))
    cities = db.session.scalars(select(Group.city).distinct().where(
        Group.visibility == Visibility.PUBLIC, Group.city != "").order_by(Group.city)).all()
    form.city.choices = [("", _("All cities")), *[(city, city) for city in cities]]
    page = paginate(query.order_by(Group.name), PER_PAGE)
    return render_template("groups/index.html", form=form, page=page,
                           counts=member_counts(page.items)), 200 if valid else 422


def member_counts(groups) -> dict[int, int]:
    if not groups:
        return {}
    rows = db.session.execute(select(Membership.group_id, func.count(Membership.id))
                              .where(Membership.group_id.in_([g.id for g in groups]))
                              .group_by(Membership.group_id))
    return dict(rows.all())


@bp.get("/mine")
@login_required
def mine():
    memberships = db.session.scalars(
        select(Membership).join(Membership.group).options(joinedload(Membership.group))
        .where(Membership.user_id == current_user.id).order_by(Group.name)).all()
    applications = db.session.scalars(
        select(Application).join(Application.group).options(joinedload(Application.group))
        .where(Application.user_id == current_user.id).order_by(Group.name)).all()
    return render_template("groups/mine.html", memberships=memberships,
                           applications=applications)


@bp.get("/<slug>")
def show(slug: str):
    group, viewer = load(slug, Action.VIEW)
    events = upcoming_events(viewer.user, group=group, limit=20)
    leaders = db.session.scalars(
        select(Membership).join(Membership.user).options(joinedload(Membership.user))
        .where(Membership.group_id == group.id, visible_condition(viewer.user),
               (Membership.role != Role.MEMBER) | (Membership.title != ""))
        .order_by(ROLE_ORDER, User.name)).all()
    manager = can(viewer, Action.MANAGE, group)
    pending = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.group_id == group.id,
            Application.status == ApplicationStatus.PENDING)) if manager else 0
    drafts = db.session.scalars(
        select(Event).where(Event.group_id == group.id, Event.status == EventStatus.DRAFT)
        .order_by(Event.starts_at)).all() if manager else []
    return render_template(
        "groups/show.html", group=group, viewer=viewer, events=events,
        going=going_counts(events), leaders=leaders, pending=pending, drafts=drafts,
        member_count=member_counts([group]).get(group.id, 0),
        may=lambda action: can(viewer, action, group), Action=Action)


@bp.get("/<slug>/logo")
def logo_image(slug: str):
    group, _viewer = load(slug, Action.VIEW)
    if not group.logo:
        abort(404)
    response = send_file(images.path_of("logos", group.logo), mimetype="image/png",
                         max_age=3600)
    response.headers["Cache-Control"] = (
        "private, max-age=3600" if group.is_private else "public, max-age=3600")
    return response


@bp.post("/<slug>/join")
@login_required
def join(slug: str):
    group, viewer = load(slug, Action.VIEW)
    if viewer.is_member:
        return redirect(url_for("groups.show", slug=slug))
    ensure(viewer, Action.JOIN, group)
    services.add_member(group, current_user)
    db.session.commit()
    flash(_("Welcome to %(group)s! You are now a member.", group=group.name), "success")
    return redirect(url_for("groups.show", slug=slug))


@bp.route("/<slug>/apply", methods=["GET", "POST"])
@login_required
def apply(slug: str):
    group, viewer = load(slug, Action.APPLY)
    form = forms.ApplicationForm()
    if form.validate_on_submit():
        services.apply(group, current_user, form.message.data)
        db.session.commit()
        flash(_("Thank you! Your application has been sent to the organisers of %(group)s.",
                group=group.name), "success")
        return redirect(url_for("groups.show", slug=slug))
    return render_template("groups/apply.html", group=group, form=form), (
        422 if form.errors else 200)


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str):
    group, viewer = load(slug, Action.VIEW_MEMBERS)
    try:
        services.leave(viewer.membership)
    except services.GroupError as error:
        flash(str(error), "error")
        return redirect(url_for("groups.show", slug=slug))
    db.session.commit()
    flash(_("You have left %(group)s.", group=group.name), "info")
    return redirect(url_for("groups.index") if group.is_private
                    else url_for("groups.show", slug=slug))


@bp.get("/<slug>/members")
def members(slug: str):
    group, viewer = load(slug, Action.VIEW_MEMBERS)
    form = forms.DirectoryForm(request.args)
    valid = form.validate()  # an overlong search word gets its message, not a query
    members_of_group = select(Membership).join(Membership.user).where(
        Membership.group_id == group.id)
    hidden = db.session.scalar(select(func.count()).select_from(
        members_of_group.where(~visible_condition(current_user)).subquery()))
    query = (members_of_group.where(visible_condition(current_user))
             .order_by(func.lower(User.name), User.id))
    if not valid:
        query = query.where(false())
    elif form.q.data:
        industries = [code for code, label in INDUSTRIES.items()
                      if form.q.data.lower() in str(label).lower()]
        query = query.where(or_(contains(User.name, form.q.data),
                                contains(User.company, form.q.data),
                                contains(User.headline, form.q.data),
                                User.industry.in_(industries),
                                contains(Membership.title, form.q.data)))
    page = paginate(query.options(joinedload(Membership.user)), PER_PAGE)
    return render_template("groups/members.html", group=group, viewer=viewer, form=form,
                           page=page, hidden=hidden), 200 if valid else 422
