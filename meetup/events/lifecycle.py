"""Where an event is in its life, with its numbers — what its page and every
card say about it: upcoming, full, closed, running now, past ("took place —
23 were there") or cancelled. The phase comes from the state machine
(``rsvp.phase``); this module only adds the counts and what each phase shows."""

from dataclasses import dataclass
from datetime import datetime

from meetup.events.rsvp import State, phase, taking_answers
from meetup.models import Event, utcnow


@dataclass(frozen=True)
class Lifecycle:
    """An event's phase with its numbers: what its page and every card say
    about it, the same for everyone."""

    phase: State
    going: int = 0  # seats of people going, guests included
    waiting: int = 0  # parties on the waitlist
    seats_left: int | None = None  # None: no limit
    arrived: int = 0  # seats of people checked in, guests included
    taking_answers: bool = False

    @property
    def is_cancelled(self) -> bool:
        return self.phase == State.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.phase == State.PAST

    @property
    def is_running(self) -> bool:
        return self.phase == State.RUNNING

    @property
    def is_closed(self) -> bool:
        return self.phase == State.CLOSED

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0 and (self.phase == State.FULL or self.taking_answers)

    @property
    def is_ahead(self) -> bool:
        """Still to come or under way: who is coming, in the present tense."""
        return self.phase not in (State.CANCELLED, State.PAST)

    @property
    def offers_calendar(self) -> bool:
        return self.is_ahead and self.phase != State.DRAFT

    @property
    def shows_seats_left(self) -> bool:
        return (self.seats_left is not None and self.is_ahead
                and (self.taking_answers or self.phase in (State.NOT_OPEN, State.DRAFT)))

    @property
    def may_cancel(self) -> bool:
        return self.phase not in (State.CANCELLED, State.PAST, State.DRAFT)

    @property
    def were_there(self) -> int:
        """Counted from check-ins if the organiser checked anyone in, else from
        the people going."""
        return self.arrived or self.going


def lifecycle(event: Event, going: int, waiting: int = 0, arrived: int = 0,
              now: datetime | None = None) -> Lifecycle:
    now = now or utcnow()
    left = None if event.capacity is None else max(event.capacity - going, 0)
    return Lifecycle(phase(event, left, now), going, waiting, left, arrived,
                     taking_answers(event, now))
