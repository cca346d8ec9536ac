"""Club pages for everyone: browse, show, join, apply, leave, members; the
page an invitation link opens, and accepting it."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import joinedload

from meetup import images, policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.events.queries import event_cards, past_events, upcoming_events
from meetup.extensions import db
from meetup.groups import bp, forms, invitations, invitations_bp, queries, services
from meetup.labels import INDUSTRIES
from meetup.models import Application, Group, JoinPolicy, Membership, User, Visibility, utcnow
from meetup.notify import membership as notify
from meetup.pagination import paginate
from meetup.policy import Action
from meetup.search import contains, equals, matches_words, storable
from meetup.security import safe_next

PER_PAGE = 20
PAST_PER_PAGE = 10


@bp.get("/")
def index():
    form = forms.BrowseForm(request.args)
    valid = form.validate()  # an overlong search word gets its message, not a query
    query = select(Group).where(Group.visibility == Visibility.PUBLIC)
    if not valid:
        query = query.where(false())
    elif form.q.data:
        query = query.where(matches_words(form.q.data, Group.name, Group.short_description,
                                          Group.description, Group.city))
    if form.city.data:
        query = query.where(equals(Group.city, form.city.data))
    cities = db.session.scalars(select(Group.city).distinct().where(
        Group.visibility == Visibility.PUBLIC, Group.city != "").order_by(Group.city)).all()
    form.city.choices = [("", _("All cities")), *[(city, city) for city in cities]]
    page = paginate(query.order_by(Group.name), PER_PAGE)
    return render_template("groups/index.html", form=form, page=page,
                           counts=queries.member_counts(page.items)), 200 if valid else 422


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
    group, viewer = policy.load_group(slug, Action.VIEW)
    events = upcoming_events(viewer.user, group=group, limit=20)
    past = paginate(past_events(viewer.user, group), PAST_PER_PAGE)
    manager = policy.can(viewer, Action.MANAGE, group)
    return render_template(
        "groups/show.html", group=group, viewer=viewer, events=events, past=past,
        cards=event_cards([*events, *past.items]), leaders=queries.leaders(group, viewer.user),
        pending=queries.pending_count(group) if manager else 0,
        drafts=queries.drafts(group) if manager else [],
        member_count=queries.member_counts([group]).get(group.id, 0),
        confirmed=policy.may_take_part(viewer.user),
        may=lambda action: policy.can(viewer, action, group), Action=Action)


@bp.get("/<slug>/logo")
def logo_image(slug: str):
    group, _viewer = policy.load_group(slug, Action.VIEW)
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
    with transaction():
        group, viewer = policy.load_group(slug, Action.VIEW)
        if viewer.is_member:
            return redirect(url_for("groups.show", slug=slug))
        policy.ensure(viewer, Action.JOIN, group)
        services.add_member(group, current_user)
    flash(_("Welcome to %(group)s! You are now a member.", group=group.name), "success")
    return redirect(url_for("groups.show", slug=slug))


@bp.route("/<slug>/apply", methods=["GET", "POST"])
@login_required
def apply(slug: str):
    group, _viewer = policy.load_group(slug, Action.APPLY)
    form = forms.ApplicationForm()
    if form.validate_on_submit():
        with transaction():
            group, _viewer = policy.load_group(slug, Action.APPLY)
            application = services.apply(group, current_user, form.message.data)
            notify.application_received(application)
        flash(_("Thank you! Your application has been sent to the organisers of %(group)s.",
                group=group.name), "success")
        return redirect(url_for("groups.show", slug=slug))
    return render_template("groups/apply.html", group=group, form=form), (
        422 if form.errors else 200)


@bp.post("/<slug>/application/withdraw")
@login_required
def withdraw_application(slug: str):
    """Take back a pending application, from the club page or from "My clubs"."""
    back = safe_next(request.form.get("next"), url_for("groups.mine"))
    try:
        with transaction():
            group, viewer = policy.load_group(slug, Action.WITHDRAW_APPLICATION)
            name = group.name
            services.withdraw_application(viewer)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(back)
    flash(_("Your application to %(group)s is withdrawn.", group=name), "info")
    return redirect(back)


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str):
    try:
        with transaction():
            group, viewer = policy.load_group(slug, Action.VIEW_MEMBERS)
            name, private = group.name, group.is_private
            services.leave(viewer)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(url_for("groups.show", slug=slug))
    flash(_("You have left %(group)s.", group=name), "info")
    return redirect(url_for("groups.index") if private else url_for("groups.show", slug=slug))


@bp.get("/<slug>/members")
def members(slug: str):
    group, viewer = policy.load_group(slug, Action.VIEW_MEMBERS)
    form = forms.DirectoryForm(request.args)
    valid = form.validate()  # an overlong search word gets its message, not a query
    members_of_group = select(Membership).join(Membership.user).where(
        Membership.group_id == group.id)
    hidden = db.session.scalar(select(func.count()).select_from(
        members_of_group.where(~policy.visible_people(current_user)).subquery()))
    query = (members_of_group.where(policy.visible_people(current_user))
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


def _invitation_page(invitation, form, status=None):
    group = invitation.group
    usable = invitation.is_usable(utcnow())
    return render_template(
        "groups/invitation.html", invitation=invitation, group=group,
        viewer=policy.viewer_for(current_user, group), usable=usable, form=form,
        needs_application=group.join_policy == JoinPolicy.APPROVAL,
    ), status or (200 if usable else 410)


@invitations_bp.get("/<token>", endpoint="show")
def invitation(token: str):
    found = invitations.find(token) if storable(token) else None
    if found is None:
        return render_template("groups/invitation_invalid.html"), 404
    return _invitation_page(found, forms.ApplicationForm())


@invitations_bp.post("/<token>", endpoint="accept")
def accept_invitation(token: str):
    found = invitations.find(token) if storable(token) else None
    if found is None:
        return render_template("groups/invitation_invalid.html"), 404
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("invitations.show", token=token)))
    form = forms.ApplicationForm()
    if found.group.join_policy == JoinPolicy.APPROVAL and not form.validate_on_submit():
        return _invitation_page(found, form, 422)
    try:
        with transaction():
            found = invitations.find(token)
            group = found.group
            name, slug = group.name, group.slug
            membership = invitations.accept(found, policy.viewer_for(current_user, group),
                                            form.message.data or "")
            joined = membership is not None
            if not joined:  # an approval club: the invitation filed an application
                notify.application_received(policy.viewer_for(current_user, group).application)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(url_for("invitations.show", token=token))
    if not joined:
        flash(_("Thank you! Your application has been sent to the organisers of %(group)s.",
                group=name), "success")
        return redirect(url_for("groups.mine"))
    flash(_("Welcome to %(group)s! You are now a member.", group=name), "success")
    return redirect(url_for("groups.show", slug=slug))
