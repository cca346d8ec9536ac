"""Who may see and do what: the one place that answers it.

Pages, lists, search, feeds, exports and the API ask here. Each kind of thing
has one SQL condition (``visible_groups``, ``visible_events``, ``visible_people``)
so lists filter in the database, and one Python answer for a single object. An
outsider is never told that a private group exists: every denial there is a 404.
The ``load_…`` helpers turn a URL into an object and the visitor's standing, or
into the right denial.
"""

from meetup.policy.core import (  # noqa: F401
    ANSWERED,
    UNCONFIRMED,
    Action,
    Viewer,
    can,
    ensure,
    ensure_taking_part,
    is_last_owner,
    may_change_member,
    may_hand_over_to,
    may_set_roles,
    may_take_part,
    signed_in,
    viewer_for,
)
from meetup.policy.loaders import (  # noqa: F401
    load_attendee,
    load_card,
    load_event,
    load_group,
    load_introduction,
    load_meeting,
    load_series,
    may_block,
)
from meetup.policy.meetings import (  # noqa: F401
    MEETING_WINDOW,
    attendance,
    in_meeting_window,
    markable,
    may_mark,
    may_record_meetings,
    meeting_window_open,
    met_there,
    prompts_for,
    was_there,
)
from meetup.policy.visibility import (  # noqa: F401
    blocked_either_way,
    can_rsvp,
    can_see_event,
    invitations_for,
    managed_group_ids,
    may_see_attendees,
    may_see_online_link,
    may_see_profile,
    member_group_ids,
    sees_attendees,
    visible_dates,
    visible_events,
    visible_groups,
    visible_people,
    visible_profiles,
)
