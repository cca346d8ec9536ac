"""Asking a contact for an introduction, and what the two others answer:
flush, raise RuleError, never commit. Mails go through the outbox in the same
transaction.

The rule for three hops (me → via → second → target): the request goes to my
own contact ``via``, the only one on the path who knows me. It names ``second``
so that ``via`` knows whom to ask; when ``via`` forwards it, the target is
introduced to me directly, with both of them named in the mail.

Double opt-in: forwarding tells the target who would like to meet them, and
tells me that ``via`` passed my request on; only when the target accepts do the
asker and the target receive each other's e-mail addresses. Declining is quiet
at both steps: the asker sees the request open until it expires (30 days).
"""

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from meetup import policy
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.introductions import paths
from meetup.models import Block, IntroductionRequest, IntroductionState, User, utcnow
from meetup.notify.outbox import queue
from meetup.urls import external_url

MAX_NOTE = 1000
State = IntroductionState


def _locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _mail(to: User, template: str, request: IntroductionRequest, **context) -> None:
    queue(to.email, template, _locale(to), kind=template, key=f"introduction:{request.id}",
          user=to, request=request, link=external_url("introductions.index"), **context)


def _path_holds(asker: User, via_id: int, target_id: int, second_id: int | None) -> bool:
    return bool(paths.find(asker, only=paths.Only(via_id, target_id, second_id)))


def ask(me: User, via_id: int, target_id: int, second_id: int | None, note: str) -> \
        IntroductionRequest:
    """Ask ``via`` to introduce ``me`` to ``target``; refused (404) unless that
    path is one ``me`` may see now, and (409) when ``me`` asked ``via`` already;
    (403) while ``me`` has not confirmed their address: a request is a mail."""
    policy.ensure_taking_part(me)
    if not _path_holds(me, via_id, target_id, second_id):
        raise RuleError(_("This introduction is not possible."), 404)
    if db.session.scalar(select(IntroductionRequest.id).filter_by(
            asker_id=me.id, via_id=via_id, target_id=target_id)) is not None:
        raise RuleError(_("You have already asked for this introduction."), 409)
    request = IntroductionRequest(asker_id=me.id, via_id=via_id, target_id=target_id,
                                  second_id=second_id, note=note.strip()[:MAX_NOTE])
    db.session.add(request)
    db.session.flush()
    _mail(request.via, "introduction_asked", request)
    return request


def _ensure_open(request: IntroductionRequest, now: datetime) -> None:
    if request.state != State.OPEN or request.expired(now):
        raise RuleError(_("This request is no longer open."), 409)


def forward(request: IntroductionRequest, now: datetime | None = None) -> None:
    """``via`` introduces the two: the target is asked, the asker is told.
    Refused when the path no longer holds (someone switched off or blocked), and
    while ``via`` has not confirmed their address (it mails both)."""
    now = now or utcnow()
    policy.ensure_taking_part(request.via)
    _ensure_open(request, now)
    if not _path_holds(request.asker, request.via_id, request.target_id, request.second_id):
        raise RuleError(_("This introduction is no longer possible."), 409)
    request.state, request.forwarded_at = State.FORWARDED, now
    db.session.flush()
    _mail(request.target, "introduction_forwarded", request)
    _mail(request.asker, "introduction_passed_on", request)


def decline(request: IntroductionRequest, now: datetime | None = None) -> None:
    """Quietly: nobody is told."""
    now = now or utcnow()
    _ensure_open(request, now)
    request.state, request.answered_at = State.DECLINED, now
    db.session.flush()


def _blocked(a_id: int, b_id: int) -> bool:
    return db.session.scalar(select(Block.id).where(or_(
        and_(Block.blocker_id == a_id, Block.blocked_id == b_id),
        and_(Block.blocker_id == b_id, Block.blocked_id == a_id)))) is not None


def accept(request: IntroductionRequest, now: datetime | None = None) -> None:
    """The target says yes: asker and target each receive the other's address
    (not when one of them has blocked the other since the request was forwarded,
    nor while the target has not confirmed their address)."""
    policy.ensure_taking_part(request.target)
    if request.state != State.FORWARDED or _blocked(request.asker_id, request.target_id):
        raise RuleError(_("This introduction is no longer open."), 409)
    request.state, request.answered_at = State.ACCEPTED, now or utcnow()
    db.session.flush()
    _mail(request.asker, "introduction_accepted", request, other=request.target)
    _mail(request.target, "introduction_accepted", request, other=request.asker)


def refuse(request: IntroductionRequest, now: datetime | None = None) -> None:
    """The target says no; the asker is not told."""
    if request.state != State.FORWARDED:
        raise RuleError(_("This introduction is no longer open."), 409)
    request.state, request.answered_at = State.REFUSED, now or utcnow()
    db.session.flush()


def allow(me: User, allowed: bool) -> None:
    """The switch "others may reach people through me"."""
    me.allow_introductions = allowed
    db.session.flush()
