"""Sign up, verify, log in and out, reset a forgotten password."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from meetup.auth import forms, lockout, mails, services
from meetup.database import transaction
from meetup.extensions import db, limiter
from meetup.i18n import current_language
from meetup.models import User, hash_password
from meetup.notify import accounts as notify_accounts
from meetup.privacy import services as privacy_services
from meetup.security import InvalidToken, safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = forms.SignupForm()
    if form.validate_on_submit():
        password_hash = hash_password(form.password.data)
        with transaction():
            try:
                user = services.create_user(form.email.data, form.name.data, password_hash,
                                            locale=current_language())
            except services.EmailTaken as taken:
                _tell_the_owner(form.email.data, taken.user_id)
            else:
                notify_accounts.verification(user)
        # The same answer whether or not the address has an account: the mail tells.
        session["signup_email"] = form.email.data
        return redirect(url_for("auth.signup_sent"))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


def _tell_the_owner(email: str, user_id: int | None) -> None:
    """Someone tried to sign up with an address that has an account: tell its owner.
    The account was just read (by id: no second statement), so both answers do the
    same work."""
    user = (db.session.get(User, user_id) if user_id is not None
            else services.find_user_by_email(email))
    if user is not None:
        notify_accounts.account_exists(user)


@bp.get("/signup/sent")
def signup_sent():
    return render_template("auth/signup_sent.html", email=session.pop("signup_email", None))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            with transaction():
                services.verify_email(token)
        except InvalidToken as exc:
            return render_template("auth/link_invalid.html", expired=exc.expired), 400
        flash(_("Thank you, your email address is confirmed."), "success")
        return redirect(url_for("main.index" if current_user.is_authenticated else "auth.login"))
    return render_template("auth/verify.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = forms.LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            result = services.authenticate(form.email.data, form.password.data)
        except services.AccountLocked:
            # The same answer whether or not the address has an account.
            form.password.errors.append(_(
                "Too many failed attempts for this account. Please try again in "
                "%(minutes)d minutes, or choose a new password.",
                minutes=lockout.Limit.from_config().minutes))
            return render_template("auth/login.html", form=form), 429
        if result.user is not None:
            login_user(result.user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("main.index")))
        restore = privacy_services.restore_offer(form.email.data, form.password.data)
        if restore is not None:  # a deleted account, still in its restore window
            return redirect(url_for("privacy.restore", token=restore))
        if result.notify is not None:
            with transaction():
                notify_accounts.lock_notice(result.notify)
        # One message for an unknown address and a wrong password.
        form.password.errors.append(_("Email address or password is not correct."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # A copied session or remember-me cookie must not outlive the logout.
        with transaction():
            services.end_sessions(current_user)
    logout_user()
    flash(_("You are logged out. See you soon!"), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        with transaction():
            mails.queue_reset(form.email.data, current_language())
        # The same answer whether or not the address has an account.
        flash(_("If an account exists for %(email)s, we have sent it a link to choose "
                "a new password. The link is valid for one hour.", email=form.email.data),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str):
    try:
        services.user_for_reset(token)
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", expired=exc.expired), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        password_hash = hash_password(form.password.data)
        try:
            with transaction():
                user = services.reset_password(token, password_hash)
        except InvalidToken as exc:  # used in another tab meanwhile
            return render_template("auth/link_invalid.html", expired=exc.expired), 400
        login_user(user)
        flash(_("Your new password is set. You are logged in."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.post("/resend")
@login_required
def resend_verification():
    if current_user.is_verified:
        flash(_("Your email address is already confirmed."), "info")
    else:
        with transaction():
            notify_accounts.verification(current_user)
        flash(_("We sent the confirmation link again to %(email)s.",
                email=current_user.email), "success")
    return redirect(url_for("account.settings"))
