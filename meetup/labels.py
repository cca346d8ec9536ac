"""Words for stored values, in the viewer's language."""

from flask_babel import lazy_gettext as _l

ROLES = {"owner": _l("Owner"), "organiser": _l("Organiser"), "member": _l("Member")}
JOIN_POLICIES = {"open": _l("Open to all"), "approval": _l("Membership by application"),
                 "invite": _l("By invitation only")}
VISIBILITIES = {"public": _l("Public"), "private": _l("Private")}
EVENT_KINDS = {"stammtisch": _l("Stammtisch"), "talk": _l("Talk"),
               "evening": _l("Evening event"), "workshop": _l("Workshop"), "other": _l("Other")}
APPLICATION_STATUSES = {"pending": _l("Waiting for a decision"), "approved": _l("Approved"),
                        "declined": _l("Declined")}


def role_label(role) -> str:
    return str(ROLES.get(str(role), role))


def register(app) -> None:
    app.jinja_env.globals.update(
        role_label=role_label,
        JOIN_POLICIES=JOIN_POLICIES,
        VISIBILITIES=VISIBILITIES,
        APPLICATION_STATUSES=APPLICATION_STATUSES,
        EVENT_KINDS=EVENT_KINDS,
    )
