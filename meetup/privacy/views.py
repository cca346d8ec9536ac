"""My data: the export, deleting the account (and taking it back), consents."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from meetup.auth.forms import ConfirmForm
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.extensions import db, limiter
from meetup.models import AccountDeletion, User, utcnow
from meetup.privacy import exports, forms, queries, services
from meetup.security import InvalidToken, read_token

bp = Blueprint("privacy", __name__, url_prefix="/account/data")


def _page(form=None, status=200):
    owned = queries.owned_groups(current_user)
    return render_template(
        "privacy/delete.html", form=form or forms.DeleteAccountForm(), owned=owned,
        restore_days=current_app.config["ACCOUNT_RESTORE_DAYS"]), status


@bp.get("/")
@login_required
def export_page():
    return render_template("privacy/export.html", direct=not exports.is_large(current_user),
                           prepared=exports.pending(current_user.id, utcnow()),
                           listing=queries.listing_consent(current_user.id),
                           link_days=exports.link_days())


@bp.post("/export")
@login_required
def export_now():
    if exports.is_large(current_user):
        raise RuleError(_("Your data is too large for a direct download; please ask for "
                          "the link by email."), 409)
    return _zip_response(current_user)


@bp.post("/export/mail")
@login_required
@limiter.limit("5 per hour")  # each is a mail
def export_mail():
    large = exports.is_large(current_user)
    with transaction():
        if large:
            exports.request_export(current_user, utcnow())
        else:
            exports.mail_export_link(current_user, utcnow())
    if large:
        flash(_("Your export is being prepared. We will send you an email with the download "
                "link as soon as it is ready."), "success")
    else:
        flash(_("We are sending you an email with a download link to %(email)s.",
                email=current_user.email), "success")
    return redirect(url_for("privacy.export_page"))


@bp.get("/export/<token>")
@login_required
def export_download(token: str):
    try:
        data = read_token(exports.LINK, token, current_app.config["EXPORT_LINK_MAX_AGE"])
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", expired=exc.expired), 400
    if data.get("uid") != current_user.id:
        return render_template("auth/link_invalid.html", expired=False), 403
    if exports.is_large(current_user):  # grown since: prepared in the background instead
        flash(_("Your data has grown too large to be put together at once. Please ask "
                "for a prepared export here."), "info")
        return redirect(url_for("privacy.export_page"))
    return _zip_response(current_user)


@bp.get("/export/file/<token>")
@login_required
def export_file(token: str):
    """A prepared export: for the person whose link it is, while it lasts."""
    try:
        path = exports.prepared_file(token, current_user, utcnow())
    except exports.LinkExpired as exc:
        return render_template("privacy/export_expired.html", link_days=exports.link_days(),
                               prepared=exports.pending(current_user.id, utcnow())), exc.status
    except RuleError:
        abort(404)
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=_file_name(utcnow()))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _file_name(now) -> str:
    """'treffpunkt-daten-2026-12-02.zip' / 'treffpunkt-data-2026-12-02.zip'."""
    return _("treffpunkt-data-%(day)s.zip", day=f"{now:%Y-%m-%d}")


def _zip_response(user) -> Response:
    now = utcnow()
    body = exports.export_zip(user, now)
    name = _file_name(now)
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


@bp.post("/listing")
@login_required
def listing():
    listed = not current_user.listed_as_attendee  # the switch turns it round
    with transaction():
        services.set_listing(current_user, listed)
    flash(_("You are named in the lists of attendees again.") if listed else
          _("You are no longer named in any list of attendees."), "success")
    return redirect(url_for("privacy.export_page"))


@bp.get("/delete")
@login_required
def delete_page():
    return _page()


@bp.post("/delete")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])  # it checks a password
def delete_account():
    form = forms.DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    if not current_user.check_password(form.password.data):
        form.password.errors.append(_("This is not your password."))
        return _page(form, 422)
    zone = current_user.timezone
    try:
        with transaction():
            until = services.delete_account(current_user, utcnow()).restore_until
    except services.OwnsClubs as error:
        form.password.errors.append(str(error))
        return _page(form, error.status)
    logout_user()
    return render_template("privacy/deleted.html", until=until, zone=zone)


def _deletion(token: str) -> AccountDeletion:
    max_age = current_app.config["ACCOUNT_RESTORE_DAYS"] * 86400
    data = read_token("restore", token, max_age)
    deletion = db.session.get(AccountDeletion, data.get("uid"))
    if deletion is None or deletion.deleted_at.isoformat() != data.get("at") \
            or deletion.purged_at is not None:
        raise InvalidToken()
    return deletion


@bp.route("/restore/<token>", methods=["GET", "POST"])
def restore(token: str):
    try:
        deletion = _deletion(token)
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", expired=exc.expired), 400
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            with transaction():
                user = services.restore_account(_deletion(token), utcnow())
        except RuleError as exc:
            error = exc
        except InvalidToken:
            error = RuleError(_("This link is not valid."), 400)
        else:
            login_user(user)
            flash(_("Welcome back! Your account is restored."), "success")
            return redirect(url_for("main.index"))
    zone = db.session.get(User, deletion.user_id).timezone
    return render_template("privacy/restore.html", form=form, deletion=deletion, zone=zone,
                           error=error and str(error)), error.status if error else 200
