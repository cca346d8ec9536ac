"""Organiser pages: settings, applications, invitations, members."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meetup import images, policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.groups import bp, forms, invitations, queries, services
from meetup.labels import role_label
from meetup.models import Application, Group, Role
from meetup.notify import membership as notify
from meetup.notify import schedule
from meetup.policy import Action
from meetup.urls import external_url


def change_or_explain(slug: str, change, success: str = "") -> None:
    """One organiser change in one transaction: confirm it (with what ``change``
    returns, else ``success``), or say why not. An object that is not the club's
    is a 404, as for any other id that names nothing here."""
    try:
        with transaction():
            group, viewer = policy.load_group(slug, Action.MANAGE)
            message = change(group, viewer) or success
    except RuleError as error:
        if error.status == 404:
            abort(404)
        flash(str(error), "error")
    else:
        flash(message, "success")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = forms.GroupForm()
    if form.validate_on_submit():
        slug = save_group(form, None)
        if slug is not None:
            flash(_("Your group %(group)s is ready. Invite the first members!",
                    group=form.name.data.strip()), "success")
            return redirect(url_for("groups.show", slug=slug))
    return render_template("groups/form.html", form=form, group=None), (
        422 if form.errors else 200)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    group, _viewer = policy.load_group(slug, Action.MANAGE)
    form = forms.GroupForm(obj=group)
    if request.method == "GET":
        form.reminder_hours.data = schedule.hours_for(group.id)
    if form.validate_on_submit():
        new_slug = save_group(form, slug)
        if new_slug is not None:
            flash(_("The group settings are saved."), "success")
            return redirect(url_for("groups.show", slug=new_slug))
        group, _viewer = policy.load_group(slug, Action.MANAGE)
    return render_template("groups/form.html", form=form, group=group), (
        422 if form.errors else 200)


LOGO_SIZE = 512
GROUP_FIELDS = ("name", "city", "short_description", "description", "website", "visibility",
                "join_policy", "timezone")


def save_group(form: forms.GroupForm, slug: str | None) -> str | None:
    """Create (``slug`` None) or update the club from the form, in one transaction;
    its address after saving, or None with the message next to the field."""
    try:
        logo = _logo(form)  # resizing is CPU work: before the transaction
    except images.ImageError as error:
        form.logo.errors.append(str(error))
        return None
    fields = {name: (getattr(form, name).data or "").strip() for name in GROUP_FIELDS}
    try:
        with transaction():
            group = policy.load_group(slug, Action.MANAGE)[0] if slug else None
            new_slug = form.slug.data or (group.slug if group else services.slugify(fields["name"]))
            if not new_slug or services.slug_taken(new_slug, exclude_id=group and group.id):
                raise SlugTaken()
            if group is None:
                group = services.create_group(current_user, slug=new_slug, **fields)
            else:
                services.update_group(group, slug=new_slug, **fields)
            if logo is not None:
                group.logo = images.store("logos", group.id, logo)
            schedule.set_hours(group.id, form.reminder_hours.data)
    except SlugTaken:
        suggestion = services.suggest_slug(form.name.data, form.city.data)
        form.slug.data = suggestion
        form.slug.errors.append(_("This web address is taken. How about “%(slug)s”?",
                                  slug=suggestion))
        return None
    except RuleError as error:
        form.slug.errors.append(str(error))
        return None
    return new_slug


class SlugTaken(Exception):
    """The chosen web address belongs to another club: suggest a free one."""


def _logo(form: forms.GroupForm) -> bytes | None:
    upload = form.logo.data
    if not (upload and getattr(upload, "filename", "")):
        return None
    return images.process(upload.read(images.MAX_BYTES + 1), LOGO_SIZE)


@bp.get("/<slug>/manage/applications")
@login_required
def applications(slug: str):
    group, viewer = policy.load_group(slug, Action.MANAGE)
    pending = queries.pending_applications(group)
    return render_template("groups/manage/applications.html", group=group, viewer=viewer,
                           pending=pending,
                           visible=policy.visible_profiles(current_user,
                                                           [a.user for a in pending]))


@bp.post("/<slug>/manage/applications/<int:application_id>/<any(approve, decline):decision>")
@login_required
def decide(slug: str, application_id: int, decision: str):
    approve = decision == "approve"
    with transaction():
        group, _viewer = policy.load_group(slug, Action.MANAGE)
        application = db.get_or_404(Application, application_id)
        if application.group_id != group.id:
            abort(404)  # another club's application: as if there were none
        decided = services.decide(application, current_user, approve)
        name = application.user.name
        if decided:
            notify.application_decided(application)
    if not decided:
        flash(_("Another organiser has already decided on this application."), "info")
    else:
        flash(_("%(name)s is now a member.", name=name) if approve
              else _("The application of %(name)s was declined.", name=name), "success")
    return redirect(url_for("groups.applications", slug=slug))


@bp.get("/<slug>/manage/invitations")
@login_required
def invitation_list(slug: str, link_form=None, email_form=None, csv_form=None, report=None):
    group, viewer = policy.load_group(slug, Action.MANAGE)
    active = queries.active_invitations(group)
    status = 422 if any(f and f.errors for f in (link_form, email_form, csv_form)) else 200
    return render_template(
        "groups/manage/invitations.html", group=group, viewer=viewer, invitations=active,
        link_form=link_form or forms.LinkInvitationForm(prefix="link"),
        email_form=email_form or forms.EmailInvitationForm(prefix="mail"),
        csv_form=csv_form or forms.CsvImportForm(prefix="csv"), report=report), status


@bp.post("/<slug>/manage/invitations/link")
@login_required
def create_link(slug: str):
    form = forms.LinkInvitationForm(prefix="link")
    if not form.validate_on_submit():
        return invitation_list(slug, link_form=form)
    with transaction():
        group, _viewer = policy.load_group(slug, Action.MANAGE)
        token = invitations.create_link(group, current_user, form.days.data,
                                        form.max_uses.data).token
    flash(_("New invitation link: %(link)s", link=external_url("invitations.show", token=token)),
          "success")
    return redirect(url_for("groups.invitation_list", slug=slug))


@bp.post("/<slug>/manage/invitations/email")
@login_required
def invite_by_email(slug: str):
    form = forms.EmailInvitationForm(prefix="mail")
    if not form.validate_on_submit():
        return invitation_list(slug, email_form=form)
    text = "\n".join(line.strip() for line in form.emails.data.replace(",", "\n").split("\n"))
    try:
        result = _invite(slug, text.encode(), form.note.data, all_or_nothing=True)
    except invitations.ImportFileError as error:
        form.emails.errors.append(str(error))
        return invitation_list(slug, email_form=form)
    except BatchRefused as refused:
        for line, message in refused.errors:
            form.emails.errors.append(_("Line %(line)d: %(message)s", line=line,
                                        message=message))
        return invitation_list(slug, email_form=form)
    flash(result.summary(), "success" if result.invitations else "info")
    return redirect(url_for("groups.invitation_list", slug=slug))


@bp.post("/<slug>/manage/invitations/import")
@login_required
def import_csv(slug: str):
    policy.load_group(slug, Action.MANAGE)
    form = forms.CsvImportForm(prefix="csv")
    upload = form.file.data if form.validate_on_submit() else None
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors.append(_("Please choose a CSV file."))
        return invitation_list(slug, csv_form=form)
    data = upload.read(invitations.MAX_CSV_BYTES + 1)
    try:
        result = _invite(slug, data, form.note.data, all_or_nothing=False)
    except invitations.ImportFileError as error:
        form.file.errors.append(str(error))
        return invitation_list(slug, csv_form=form)
    return invitation_list(slug, report=result)


def _invite(slug: str, data: bytes, note: str | None, *, all_or_nothing: bool):
    """Invite every address of ``data`` (CSV) and queue their mails, in one transaction.
    With ``all_or_nothing`` one bad line keeps every invitation back (BatchRefused);
    otherwise the good lines are invited and the result lists the others."""
    with transaction():
        group, _viewer = policy.load_group(slug, Action.MANAGE)
        result = invitations.import_csv(group, current_user, data)
        if all_or_nothing and result.errors:
            raise BatchRefused(result.errors)
        for invitation in result.invitations:
            notify.invitation(invitation, current_user, note)
    return result


@bp.post("/<slug>/manage/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(slug: str, invitation_id: int):
    change_or_explain(slug, lambda group, _viewer: invitations.revoke(group, invitation_id),
                      _("The invitation no longer works."))
    return redirect(url_for("groups.invitation_list", slug=slug))


@bp.get("/<slug>/manage/members")
@login_required
def manage_members(slug: str):
    group, viewer = policy.load_group(slug, Action.MANAGE)
    members, bans = queries.members_with_bans(group)
    return render_template(
        "groups/manage/members.html", group=group, viewer=viewer, members=members, bans=bans,
        titles=forms.TITLE_SUGGESTIONS, roles=list(Role),
        attendance=queries.attendance_by_member(group),
        may_set_roles=policy.may_set_roles(viewer),
        may_change={m.id for m in members if policy.may_change_member(viewer, m)},
        may_hand_over={m.id for m in members if policy.may_hand_over_to(viewer, m)},
        visible=policy.visible_profiles(current_user, [m.user for m in members]
                                        + [b.user for b in bans]))


MEMBER_ACTIONS = "title, role, transfer, remove, ban"


@bp.post(f"/<slug>/manage/members/<int:membership_id>/<any({MEMBER_ACTIONS}):action>")
@login_required
def member_action(slug: str, membership_id: int, action: str):
    def change(group: Group, viewer: policy.Viewer) -> str:
        """The change, and what it did in words: each action its own message."""
        match action:
            case "title":
                target = services.set_title(viewer, membership_id, request.form.get("title", ""))
                return (_("%(name)s now has the title “%(title)s”.", name=target.user.name,
                          title=target.title) if target.title
                        else _("%(name)s no longer has a title.", name=target.user.name))
            case "role":
                target = services.set_role(viewer, membership_id, request.form.get("role", ""))
                return _("%(name)s is now %(role)s.", name=target.user.name,
                         role=role_label(target.role))
            case "transfer":
                target = services.transfer_ownership(viewer, membership_id)
                return _("%(name)s is now the owner of %(group)s; you remain an organiser.",
                         name=target.user.name, group=group.name)
            case _:
                user = services.remove_member(viewer, membership_id, ban=action == "ban")
                return (_("%(name)s was removed from the group and banned.", name=user.name)
                        if action == "ban"
                        else _("%(name)s was removed from the group.", name=user.name))

    change_or_explain(slug, change)
    return redirect(url_for("groups.manage_members", slug=slug))


@bp.post("/<slug>/manage/bans/<int:ban_id>/lift")
@login_required
def lift_ban(slug: str, ban_id: int):
    change_or_explain(slug, lambda group, viewer: services.unban(group, ban_id, viewer.user),
                      _("The ban is lifted."))
    return redirect(url_for("groups.manage_members", slug=slug))


class BatchRefused(Exception):
    """Some addresses of a batch cannot be invited: nothing is, the lines say why."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors
