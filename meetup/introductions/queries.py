"""Reads for the introductions page: the requests I made and those waiting for me."""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from meetup.extensions import db
from meetup.models import EXPIRES_AFTER, IntroductionRequest, IntroductionState, User

State = IntroductionState


def _requests(*conditions) -> list[IntroductionRequest]:
    return list(db.session.scalars(
        select(IntroductionRequest)
        .options(joinedload(IntroductionRequest.asker), joinedload(IntroductionRequest.via),
                 joinedload(IntroductionRequest.second), joinedload(IntroductionRequest.target))
        .where(*conditions).order_by(IntroductionRequest.created_at.desc(),
                                     IntroductionRequest.id.desc())))


def asked_by(me: User) -> list[IntroductionRequest]:
    return _requests(IntroductionRequest.asker_id == me.id)


def waiting_for(me: User, now: datetime) -> list[IntroductionRequest]:
    """Requests I am to pass on (open, not expired) or to answer (forwarded to me)."""
    return _requests(or_(
        (IntroductionRequest.via_id == me.id) & (IntroductionRequest.state == State.OPEN)
        & (IntroductionRequest.created_at > now - EXPIRES_AFTER),
        (IntroductionRequest.target_id == me.id) & (IntroductionRequest.state == State.FORWARDED)))


def shown_state(request: IntroductionRequest, now: datetime) -> str:
    """What the asker may know: a decline looks like an open request until it
    expires, a refusal like a forwarded one."""
    if request.expired(now):
        return "expired"
    return {State.DECLINED: "open", State.REFUSED: "forwarded"}.get(request.state,
                                                                   request.state.value)
