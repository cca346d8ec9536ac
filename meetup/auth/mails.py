"""Mails of the sign-in pages that must not tell whether an address has an account."""

import secrets

from meetup.auth.services import find_user_by_email, reset_token
from meetup.models import normalise_email
from meetup.notify.outbox import queue
from meetup.security import make_token
from meetup.urls import external_url


def queue_reset(email: str, locale: str) -> None:
    """A mail to ``email`` either way: the reset link to an account's owner, or
    word that this address has no account. Both ways run the same statements
    (one look-up, one queued mail) and sign one token, so neither the answer nor
    its timing tells whether the account exists. Flushes, never commits."""
    user = find_user_by_email(email)
    token = reset_token(user) if user is not None else make_token("reset", {"uid": 0, "pw": ""})
    if user is not None:
        template = "reset_password"
        context = {"link": external_url("auth.reset", token=token)}
    else:
        template = "reset_unknown"
        context = {"signup_link": external_url("auth.signup"), "email": normalise_email(email)}
    # Every request its own mail (a new key): asking again sends again.
    locale = (user.locale or locale) if user is not None else locale
    queue(email, template, locale, kind="reset_password",
          key=secrets.token_hex(8), user=user, **context)
