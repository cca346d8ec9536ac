"""Members write to a club's organisers (the contact form); and the development
mailbox: what the outbox holds, for admins, when no mail server is configured
(then nothing leaves the machine and mails are read here)."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from meetup import policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.groups import bp as groups_bp
from meetup.mail import CALENDAR_FILENAME, readable_header, sender_address
from meetup.models import OutboxMessage
from meetup.notify import announcements, queries
from meetup.notify.forms import MessageForm
from meetup.notify.html import mail_html
from meetup.policy import Action

bp = Blueprint("notify", __name__, url_prefix="/dev/mailbox")
bp.add_app_template_filter(mail_html, "mail_html")  # the HTML part of every mail

STATES = {"waiting": _l("Waiting"), "sending": _l("Being sent"), "sent": _l("Delivered"),
          "failed": _l("Failed"), "cancelled": _l("Withdrawn")}
STATE_BADGES = {"sent": "badge-success", "failed": "badge-danger", "waiting": "badge-warning"}
OUTCOMES = {"sent": _l("handed over"), "temporary": _l("not now, tried again later"),
            "permanent": _l("refused"), "expired": _l("the sender did not report back")}


@bp.before_request
def only_admins_without_a_mail_server():
    """Mails hold sign-in links: with a real mail server nobody reads them here,
    and to everyone but an admin the page does not exist."""
    if current_app.config.get("MAIL_SERVER") or not (
            current_user.is_authenticated and current_user.is_admin):
        abort(404)


@bp.context_processor
def state_words():
    return {"STATES": STATES, "STATE_BADGES": STATE_BADGES, "OUTCOMES": OUTCOMES}


@bp.get("/")
def mailbox():
    return render_template("notify/mailbox.html", page=queries.mailbox_page())


@bp.get("/<int:message_id>")
def message(message_id: int):
    mail = db.get_or_404(OutboxMessage, message_id)
    return render_template("notify/message.html", mail=mail, attempts=queries.attempts(mail),
                           sender=readable_header(sender_address(mail.sender_name)),
                           attachment_name=CALENDAR_FILENAME)


@bp.get(f"/<int:message_id>/{CALENDAR_FILENAME}")
def attachment(message_id: int):
    mail = db.get_or_404(OutboxMessage, message_id)
    if mail.attachment is None:
        abort(404)
    content_type = "text/calendar; charset=utf-8"
    if mail.attachment_method:
        content_type += f"; method={mail.attachment_method}"
    return Response(mail.attachment, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{CALENDAR_FILENAME}"'})


@groups_bp.route("/<slug>/contact", methods=["GET", "POST"])
@login_required
def contact(slug: str):
    group, _viewer = policy.load_group(slug, Action.CONTACT)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            with transaction():
                group, _viewer = policy.load_group(slug, Action.CONTACT)
                announcements.contact_organisers(current_user, group, form.subject.data,
                                                 form.text.data)
        except RuleError as error:
            form.text.errors.append(str(error))
            return render_template("notify/contact.html", group=group, form=form), error.status
        flash(_("Thank you! Your message is on its way to the organisers of %(group)s. "
                "They will answer you by email.", group=group.name), "success")
        return redirect(url_for("groups.show", slug=slug))
    return render_template("notify/contact.html", group=group, form=form), (
        422 if form.errors else 200)
