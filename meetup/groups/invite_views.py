"""The page an invitation link opens, and accepting it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetup.extensions import db
from meetup.groups import invitations, services
from meetup.groups.forms import ApplicationForm
from meetup.groups.policy import viewer_for
from meetup.models import JoinPolicy, utcnow
from meetup.search import storable

bp = Blueprint("invitations", __name__, url_prefix="/invite")


def _page(invitation, form, status=None):
    group = invitation.group
    usable = invitation.is_usable(utcnow())
    return render_template(
        "groups/invitation.html", invitation=invitation, group=group,
        viewer=viewer_for(current_user, group), usable=usable, form=form,
        needs_application=group.join_policy == JoinPolicy.APPROVAL,
    ), status or (200 if usable else 410)


@bp.get("/<token>")
def show(token: str):
    invitation = invitations.find(token) if storable(token) else None
    if invitation is None:
        return render_template("groups/invitation_invalid.html"), 404
    return _page(invitation, ApplicationForm())


@bp.post("/<token>")
def accept(token: str):
    invitation = invitations.find(token) if storable(token) else None
    if invitation is None:
        return render_template("groups/invitation_invalid.html"), 404
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("invitations.show", token=token)))
    group = invitation.group
    form = ApplicationForm()
    approval = group.join_policy == JoinPolicy.APPROVAL
    if approval and not form.validate_on_submit():
        return _page(invitation, form, 422)
    try:
        membership = invitations.accept(invitation, current_user, form.message.data or "")
    except services.GroupError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("invitations.show", token=token))
    db.session.commit()
    if membership is None:
        flash(_("Thank you! Your application has been sent to the organisers of %(group)s.",
                group=group.name), "success")
        return redirect(url_for("groups.mine"))
    flash(_("Welcome to %(group)s! You are now a member.", group=group.name), "success")
    return redirect(url_for("groups.show", slug=group.slug))
