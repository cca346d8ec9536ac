"""Mail preferences: the page under "My account", one-click unsubscribing and the
"Still coming?" answers (the rules are in ``meetup.notify.preferences`` and
``meetup.notify.still_coming``)."""
