"""A person's own account: name, language, time zone, password, email."""

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from meetup.account import forms
from meetup.auth import services
from meetup.auth.forms import ConfirmForm
from meetup.database import transaction
from meetup.models import hash_password
from meetup.notify import accounts as notify_accounts
from meetup.notify.queries import address_failing
from meetup.security import InvalidToken
from meetup.urls import external_url

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(settings=None, password=None, email=None, status=200):
    token = session.pop("calendar_token", None)
    return render_template(
        "account/settings.html",
        calendar_feed=token and external_url("calendar.personal_feed", token=token),
        settings_form=settings or forms.SettingsForm(obj=current_user, prefix="settings"),
        password_form=password or forms.PasswordChangeForm(prefix="password"),
        email_form=email or forms.EmailChangeForm(prefix="email"),
        mail_failing=address_failing(current_user.email),
    ), status


@bp.get("/")
@login_required
def settings():
    form = forms.SettingsForm(obj=current_user, prefix="settings")
    form.locale.data = current_user.locale or ""
    return _page(settings=form)


@bp.post("/")
@login_required
def update_settings():
    form = forms.SettingsForm(prefix="settings")
    if not form.validate_on_submit():
        return _page(settings=form, status=422)
    with transaction():
        current_user.name = form.name.data
        current_user.locale = form.locale.data or None
        current_user.timezone = form.timezone.data
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/password")
@login_required
def change_password():
    form = forms.PasswordChangeForm(prefix="password")
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            password_hash = hash_password(form.password.data)
            with transaction():
                services.change_password(current_user, password_hash)
            # The new session token signed every other device out; keep this one.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("account.settings"))
    return _page(password=form, status=422)


@bp.post("/email")
@login_required
def change_email():
    form = forms.EmailChangeForm(prefix="email")
    if form.validate_on_submit():
        token = None
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            try:
                token = services.request_email_change(current_user, form.email.data)
            except services.EmailTaken:
                form.email.errors.append(_("Another account already uses this email address."))
        if token:
            new_email = form.email.data.strip().lower()
            with transaction():
                notify_accounts.email_change(current_user, new_email, token)
            flash(_("Almost done: please open the link we sent to %(email)s. Until then "
                    "your current address stays in use.", email=new_email), "info")
            return redirect(url_for("account.settings"))
    return _page(email=form, status=422)


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with transaction():
                user = services.confirm_email_change(token)
                email = user.email
        except InvalidToken as exc:
            return render_template("auth/link_invalid.html", expired=exc.expired), 400
        except services.EmailTaken:
            flash(_("Another account already uses this email address."), "error")
            return redirect(url_for("main.index"))
        flash(_("Your email address is now %(email)s.", email=email), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/verify.html", form=form, email_change=True)
