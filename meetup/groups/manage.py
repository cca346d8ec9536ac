"""Organiser pages: settings, applications, invitations, members."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from meetup import images
from meetup.extensions import db
from meetup.groups import forms, invitations, services
from meetup.groups.mails import send_decision, send_invitation
from meetup.groups.policy import Action
from meetup.groups.views import ROLE_ORDER, bp, load
from meetup.models import (
    RSVP,
    Application,
    ApplicationStatus,
    Ban,
    Event,
    EventStatus,
    Group,
    Invitation,
    Membership,
    Role,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.people.privacy import visible_profiles
from meetup.urls import external_url


def commit_or_explain(change, success: str) -> None:
    """Run one change: commit and confirm it, or roll back and say why not."""
    try:
        change()
    except services.GroupError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = forms.GroupForm()
    if form.validate_on_submit():
        group = save_group(form, None)
        if group is not None:
            db.session.commit()
            flash(_("Your group %(group)s is ready. Invite the first members!",
                    group=group.name), "success")
            return redirect(url_for("groups.show", slug=group.slug))
    return render_template("groups/form.html", form=form, group=None), (
        422 if form.errors else 200)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    group, _viewer = load(slug, Action.MANAGE)
    form = forms.GroupForm(obj=group)
    if form.validate_on_submit() and save_group(form, group) is not None:
        db.session.commit()
        flash(_("The group settings are saved."), "success")
        return redirect(url_for("groups.show", slug=group.slug))
    return render_template("groups/form.html", form=form, group=group), (
        422 if form.errors else 200)


LOGO_SIZE = 512
GROUP_FIELDS = ("name", "city", "short_description", "description", "website", "visibility",
                "join_policy", "timezone")


def save_group(form: forms.GroupForm, group: Group | None) -> Group | None:
    """Create or update from the form; on a rule violation, put the message
    next to the field and return None."""
    slug = form.slug.data or (group.slug if group else services.slugify(form.name.data))
    if not slug or services.slug_taken(slug, exclude_id=group.id if group else None):
        suggestion = services.suggest_slug(form.name.data, form.city.data)
        form.slug.data = suggestion
        form.slug.errors.append(_("This web address is taken. How about “%(slug)s”?",
                                  slug=suggestion))
        return None
    fields = {name: (getattr(form, name).data or "").strip() for name in GROUP_FIELDS}
    try:
        if group is None:
            group = services.create_group(current_user, slug=slug, **fields)
        else:
            for name, value in fields.items():
                setattr(group, name, value)
            group.slug = slug
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            db.session.flush()
            group.logo = images.store("logos", group.id, upload.read(images.MAX_BYTES + 1),
                                      LOGO_SIZE)
    except images.ImageError as error:
        db.session.rollback()
        form.logo.errors.append(str(error))
        return None
    except services.GroupError as error:
        db.session.rollback()
        form.slug.errors.append(str(error))
        return None
    return group


@bp.get("/<slug>/manage/applications")
@login_required
def applications(slug: str):
    group, viewer = load(slug, Action.MANAGE)
    pending = db.session.scalars(
        select(Application).options(joinedload(Application.user))
        .where(Application.group_id == group.id,
               Application.status == ApplicationStatus.PENDING)
        .order_by(Application.created_at)).all()
    return render_template("groups/manage/applications.html", group=group, viewer=viewer,
                           pending=pending,
                           visible=visible_profiles(current_user, [a.user for a in pending]))


@bp.post("/<slug>/manage/applications/<int:application_id>/<any(approve, decline):decision>")
@login_required
def decide(slug: str, application_id: int, decision: str):
    group, _viewer = load(slug, Action.MANAGE)
    application = db.get_or_404(Application, application_id)
    if application.group_id != group.id:
        return redirect(url_for("groups.applications", slug=slug))
    approve = decision == "approve"
    if services.decide(application, current_user, approve):
        db.session.commit()
        send_decision(application)
        flash(_("%(name)s is now a member.", name=application.user.name) if approve
              else _("The application of %(name)s was declined.", name=application.user.name),
              "success")
    else:
        db.session.rollback()
        flash(_("Another organiser has already decided on this application."), "info")
    return redirect(url_for("groups.applications", slug=slug))


@bp.get("/<slug>/manage/invitations")
@login_required
def invitation_list(slug: str, link_form=None, email_form=None, csv_form=None, report=None):
    group, viewer = load(slug, Action.MANAGE)
    active = db.session.scalars(
        select(Invitation).where(Invitation.group_id == group.id,
                                 Invitation.revoked_at.is_(None),
                                 Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())).all()
    status = 422 if any(f and f.errors for f in (link_form, email_form, csv_form)) else 200
    return render_template(
        "groups/manage/invitations.html", group=group, viewer=viewer, invitations=active,
        link_form=link_form or forms.LinkInvitationForm(prefix="link"),
        email_form=email_form or forms.EmailInvitationForm(prefix="mail"),
        csv_form=csv_form or forms.CsvImportForm(prefix="csv"), report=report), status


@bp.post("/<slug>/manage/invitations/link")
@login_required
def create_link(slug: str):
    group, _viewer = load(slug, Action.MANAGE)
    form = forms.LinkInvitationForm(prefix="link")
    if not form.validate_on_submit():
        return invitation_list(slug, link_form=form)
    invitation = invitations.create_link(group, current_user, form.days.data,
                                         form.max_uses.data)
    db.session.commit()
    flash(_("New invitation link: %(link)s",
            link=external_url("invitations.show", token=invitation.token)),
          "success")
    return redirect(url_for("groups.invitation_list", slug=slug))


@bp.post("/<slug>/manage/invitations/email")
@login_required
def invite_by_email(slug: str):
    group, _viewer = load(slug, Action.MANAGE)
    form = forms.EmailInvitationForm(prefix="mail")
    if not form.validate_on_submit():
        return invitation_list(slug, email_form=form)
    text = "\n".join(line.strip() for line in form.emails.data.replace(",", "\n").split("\n"))
    try:
        result = invitations.import_csv(group, current_user, text.encode())
    except invitations.ImportFileError as error:
        form.emails.errors.append(str(error))
        return invitation_list(slug, email_form=form)
    if result.errors:
        db.session.rollback()
        for line, message in result.errors:
            form.emails.errors.append(_("Line %(line)d: %(message)s", line=line,
                                        message=message))
        return invitation_list(slug, email_form=form)
    db.session.commit()
    for invitation in result.invitations:
        send_invitation(invitation)
    flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.",
                   len(result.invitations)), "success")
    return redirect(url_for("groups.invitation_list", slug=slug))


@bp.post("/<slug>/manage/invitations/import")
@login_required
def import_csv(slug: str):
    group, _viewer = load(slug, Action.MANAGE)
    form = forms.CsvImportForm(prefix="csv")
    upload = form.file.data if form.validate_on_submit() else None
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors.append(_("Please choose a CSV file."))
        return invitation_list(slug, csv_form=form)
    try:
        result = invitations.import_csv(group, current_user,
                                        upload.read(invitations.MAX_CSV_BYTES + 1))
    except invitations.ImportFileError as error:
        db.session.rollback()
        form.file.errors.append(str(error))
        return invitation_list(slug, csv_form=form)
    db.session.commit()
    for invitation in result.invitations:
        send_invitation(invitation)
    return invitation_list(slug, report=result)


@bp.post("/<slug>/manage/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(slug: str, invitation_id: int):
    group, _viewer = load(slug, Action.MANAGE)
    commit_or_explain(lambda: invitations.revoke(group, invitation_id),
                      _("The invitation no longer works."))
    return redirect(url_for("groups.invitation_list", slug=slug))


@bp.get("/<slug>/manage/members")
@login_required
def manage_members(slug: str):
    group, viewer = load(slug, Action.MANAGE)
    members = db.session.scalars(
        select(Membership).join(Membership.user).options(joinedload(Membership.user))
        .where(Membership.group_id == group.id).order_by(ROLE_ORDER, User.name)).all()
    bans = db.session.scalars(select(Ban).options(joinedload(Ban.user))
                              .where(Ban.group_id == group.id)).all()
    return render_template("groups/manage/members.html", group=group, viewer=viewer,
                           members=members, bans=bans, titles=forms.TITLE_SUGGESTIONS,
                           roles=list(Role), attendance=attendance_by_member(group),
                           visible=visible_profiles(current_user, [m.user for m in members]
                                                    + [b.user for b in bans]))


def attendance_by_member(group: Group) -> dict[int, tuple[int, int]]:
    """(attended, registered) per member over the group's past events, one query."""
    rows = db.session.execute(
        select(RSVP.user_id, func.count(RSVP.id), func.count(RSVP.checked_in_at))
        .join(RSVP.event)
        .where(Event.group_id == group.id, Event.ends_at < utcnow(),
               Event.status == EventStatus.PUBLISHED, RSVP.status == RSVPStatus.GOING)
        .group_by(RSVP.user_id))
    return {user_id: (attended, registered) for user_id, registered, attended in rows}


MEMBER_ACTIONS = "title, role, transfer, remove, ban"


@bp.post(f"/<slug>/manage/members/<int:membership_id>/<any({MEMBER_ACTIONS}):action>")
@login_required
def member_action(slug: str, membership_id: int, action: str):
    _group, viewer = load(slug, Action.MANAGE)
    actor = viewer.membership

    def change():
        match action:
            case "title":
                services.set_title(actor, membership_id, request.form.get("title", ""))
            case "role":
                services.set_role(actor, membership_id, request.form.get("role", ""))
            case "transfer":
                services.transfer_ownership(actor, membership_id)
            case "remove" | "ban":
                services.remove_member(actor, membership_id, ban=action == "ban")

    commit_or_explain(change, _("Saved."))
    return redirect(url_for("groups.manage_members", slug=slug))


@bp.post("/<slug>/manage/bans/<int:ban_id>/lift")
@login_required
def lift_ban(slug: str, ban_id: int):
    group, _viewer = load(slug, Action.MANAGE)
    commit_or_explain(lambda: services.unban(group, ban_id), _("The ban is lifted."))
    return redirect(url_for("groups.manage_members", slug=slug))

