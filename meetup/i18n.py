"""Language and time-zone selection, and date formatting for people."""

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import format_datetime, format_interval, format_skeleton, get_timezone_location
from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from meetup import labels
from meetup.extensions import babel
from meetup.icons import icon
from meetup.text import render_markdown, web_url

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
# Dates read the European way in both languages: "Tue, 3 March 2026, 7:00 – 9:30 pm".
FORMAT_LOCALES = {"de": "de_DE", "en": "en_GB"}


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["date_long"] = date_long
    app.jinja_env.filters["day_long"] = day_long
    app.jinja_env.filters["month_long"] = month_long
    app.jinja_env.filters["date_short"] = date_short
    app.jinja_env.filters["time_short"] = time_short
    app.jinja_env.filters["capitalize_first"] = capitalize_first
    app.jinja_env.filters["zone_name"] = zone_name
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["date_parts"] = date_parts
    app.jinja_env.filters["local_iso"] = local_iso
    labels.register(app)
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["web_url"] = web_url
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_language"] = current_language


def select_locale() -> str:
    """The person's setting, else their choice this session, else the browser, else German."""
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str | None:
    if current_user.is_authenticated:
        return current_user.timezone
    return None


WORLD = ("001", "ZZ")  # CLDR's "world" and "unknown region": no country to name


def zone_label(zone: str, locale: Locale) -> str:
    """'Deutschland – Berlin' / 'Germany – Berlin', from Babel's CLDR data."""
    if zone == "UTC":
        return str(_l("UTC – Coordinated Universal Time"))
    city = get_timezone_location(zone, locale=locale, return_city=True)
    territory = get_global("zone_territories").get(zone) or get_global(
        "zone_territories").get(get_global("zone_aliases").get(zone, ""), "ZZ")
    country = "" if territory in WORLD else locale.territories.get(territory, "")
    return city if not country or country == city else f"{country} – {city}"


def zone_name(zone: str) -> str:
    """A zone for people, in their language: 'Deutschland – Berlin'."""
    return zone_label(zone, format_locale())


def capitalize_first(text: str) -> str:
    """'Jeden ersten Dienstag' from 'jeden ersten Dienstag' (the rest as it is)."""
    return text[:1].upper() + text[1:]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_locale() -> Locale:
    """The Babel locale dates are written in, parsed once per language: Babel would
    parse a locale name again for every date of a page."""
    return _parsed(FORMAT_LOCALES.get(current_language(), current_language()))


@functools.cache
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def date_long(value: datetime, zone: str) -> str:
    """'Di., 3. März 2026' / 'Tue, 3 March 2026' in the given zone and the viewer's language."""
    value = value.astimezone(ZoneInfo(zone))
    return format_skeleton("yMMMMEd", value, locale=format_locale())


def day_long(value: date) -> str:
    """A calendar day without a zone (a follow-up date), written like ``date_long``."""
    noon = datetime.combine(value, time(12), UTC)
    return format_skeleton("yMMMMEd", noon, tzinfo=UTC, locale=format_locale())
def month_long(value: datetime, zone: str) -> str:
    """'März' / 'March' in the given zone; 'März 2025' when it is not this year's."""
    tz = ZoneInfo(zone)
    value = value.astimezone(tz)
    if value.year == datetime.now(tz).year:
        return format_datetime(value, "LLLL", locale=format_locale())  # the skeleton abbreviates
    return format_skeleton("yMMMM", value, locale=format_locale())


def date_short(value: datetime, zone: str, other: datetime | None = None) -> str:
    """'5. Jan.' / '5 Jan'; with the year when it is not this year's or differs
    from ``other``'s (the other end of a range)."""
    tz = ZoneInfo(zone)
    value = value.astimezone(tz)
    years = {value.year, datetime.now(tz).year} | ({other.astimezone(tz).year} if other else set())
    return format_skeleton("MMMd" if len(years) == 1 else "yMMMd", value, locale=format_locale())


def time_short(value: datetime, zone: str) -> str:
    """'19:00' / '7:00 pm'."""
    hours = "Hm" if current_language() == "de" else "hm"
    return format_skeleton(hours, value.astimezone(ZoneInfo(zone)), locale=format_locale())


def when(start: datetime, end: datetime, zone: str) -> str:
    """'Di., 3. März 2026, 19:00–21:30 Uhr' / 'Tue, 3 March 2026, 7:00 – 9:30 pm'."""
    tz = ZoneInfo(zone)
    start, end = start.astimezone(tz), end.astimezone(tz)
    locale = format_locale()
    hours = "Hm" if current_language() == "de" else "hm"
    if start.date() == end.date():
        times = format_interval(start.time(), end.time(), hours, locale=locale)
        return f"{date_long(start, zone)}, {times}"
    # Over midnight or several days: both ends in full (Babel's interval patterns for
    # date and time together differ between CLDR releases and print seconds).
    first = f"{date_long(start, zone)}, {format_skeleton(hours, start, locale=locale)}"
    last = f"{date_long(end, zone)}, {format_skeleton(hours, end, locale=locale)}"
    return f"{first} – {last}"


def date_parts(value: datetime, zone: str) -> dict[str, str]:
    """Weekday, day and month for an event's date block."""
    value = value.astimezone(ZoneInfo(zone))
    locale = format_locale()
    return {
        "weekday": format_datetime(value, "EEE", locale=locale).rstrip("."),
        "day": format_datetime(value, "d", locale=locale),
        "month": format_datetime(value, "LLL", locale=locale).rstrip("."),
    }


def local_iso(value: datetime, zone: str) -> str:
    """ISO 8601 with the zone's offset, for <time datetime>."""
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes")
