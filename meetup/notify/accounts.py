"""Mails about a person's account, queued in the caller's transaction: confirm the
address, someone signed up with it, logins paused, a new password, a new address.

Each is in the account's language (the page's language for a new account), with
links built from SITE_URL. A mail a person can ask for again (a second reset link)
is a new message: its version is the second it was asked for.
"""

from flask import current_app

from meetup.auth import lockout, services
from meetup.i18n import current_language
from meetup.models import User
from meetup.notify.messages import stamp
from meetup.notify.outbox import queue
from meetup.urls import external_url


def _locale(user: User) -> str:
    return user.locale or current_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def _account_mail(user: User, template: str, *, to: str | None = None, **context) -> None:
    queue(to or user.email, template, _locale(user), kind=template, key=f"user:{user.id}",
          version=stamp(), user=user, **context)


def verification(user: User) -> None:
    """The link that confirms a new account's address."""
    link = external_url("auth.verify", token=services.verification_token(user))
    _account_mail(user, "verify_email", link=link)


def account_exists(user: User) -> None:
    """Someone tried to sign up with this account's address."""
    _account_mail(user, "signup_existing", login_link=external_url("auth.login"),
                  reset_link=external_url("auth.reset_request"))


def lock_notice(user: User) -> None:
    """Logins are paused after failed attempts; a reset link lets the owner in."""
    link = external_url("auth.reset", token=services.reset_token(user))
    _account_mail(user, "login_locked", link=link, minutes=lockout.Limit.from_config().minutes)


def password_reset(user: User) -> None:
    link = external_url("auth.reset", token=services.reset_token(user))
    _account_mail(user, "reset_password", link=link)


def email_change(user: User, new_email: str, token: str) -> None:
    """To the new address: the link that makes it the account's address."""
    link = external_url("account.confirm_email", token=token)
    _account_mail(user, "change_email", to=new_email, link=link, new_email=new_email)
