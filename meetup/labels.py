"""Words for stored values, in the viewer's language."""

from flask_babel import lazy_gettext as _l

ROLES = {"owner": _l("Owner"), "organiser": _l("Organiser"), "member": _l("Member")}
JOIN_POLICIES = {"open": _l("Open to all"), "approval": _l("Membership by application"),
                 "invite": _l("By invitation only")}
EVENT_KINDS = {"stammtisch": _l("Regulars' get-together"), "talk": _l("Talk"),
               "evening": _l("Evening event"), "workshop": _l("Workshop"), "other": _l("Other")}
INDUSTRIES = {
    "tax": _l("Tax advice and accounting"), "law": _l("Legal services"),
    "consulting": _l("Management consulting"), "it": _l("IT and software"),
    "finance": _l("Banking and finance"), "insurance": _l("Insurance"),
    "real_estate": _l("Real estate"), "manufacturing": _l("Manufacturing and engineering"),
    "marketing": _l("Marketing and communication"), "hr": _l("Human resources"),
    "logistics": _l("Logistics"), "health": _l("Health care"), "retail": _l("Retail and trade"),
    "crafts": _l("Skilled crafts"), "hospitality": _l("Hospitality"), "energy": _l("Energy"),
    "education": _l("Education and training"), "public": _l("Public sector"),
    "other": _l("Other"),
}
PROFILE_VISIBILITIES = {
    "members": _l("Members of my clubs"),
    "attendees": _l("Only people going to the same events"),
    "signed_in": _l("Everyone signed in to Treffpunkt"),
}
# Said next to each profile field: who sees it, following the profile's visibility
# (policy.visible_people; it holds for organisers, too).
PROFILE_AUDIENCES = {
    "members": _l("Visible to the members of your clubs"),
    "attendees": _l("Visible to the people going to the same events as you"),
    "signed_in": _l("Visible to everyone signed in to Treffpunkt"),
}
APPLICATION_STATUSES = {"pending": _l("Waiting for a decision"), "approved": _l("Approved"),
                        "declined": _l("Declined")}


def role_label(role) -> str:
    return str(ROLES.get(str(role), role))


def register(app) -> None:
    app.jinja_env.globals.update(
        role_label=role_label,
        ranked_roles=("owner", "organiser"),  # roles shown as a badge next to a name
        JOIN_POLICIES=JOIN_POLICIES,
        APPLICATION_STATUSES=APPLICATION_STATUSES,
        EVENT_KINDS=EVENT_KINDS,
        INDUSTRIES=INDUSTRIES,
    )
