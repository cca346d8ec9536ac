"""The audit trail of organiser actions: ``record`` writes one entry in the
caller's transaction; the owners read it on the club's manage pages."""

from meetup.audit.services import Act, purge, record

__all__ = ["Act", "purge", "record"]
