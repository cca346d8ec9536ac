"""vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) for contacts: a pure builder.

It takes people and returns text; what a card may contain is decided by the
caller (``shown``: the person's profile is visible to the one exporting). Without
it a card carries the name only — the one thing both learnt when they met — and
what the person shares with all their contacts (phone, birthday).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from meetup.models import User

VERSIONS = ("3.0", "4.0")
PRODID = "-//Treffpunkt//Kontakte//DE"
FOLD_AT = 75  # octets per line, the line break not counted
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TOKEN = re.compile(r"\\.|.", re.DOTALL)  # an escape sequence, or one character


@dataclass(frozen=True)
class Entry:
    person: User
    uid: str  # a stable URI for the person (urn:uuid:…)
    shown: bool  # the profile's fields may go into the card


def escape(text: str) -> str:
    """A TEXT value: backslash, comma, semicolon and line breaks escaped."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\n", "\\n"))


def _uri(text: str) -> str:
    """A URI value: no spaces or control characters, and the separators readers
    split on (comma, semicolon, backslash) percent-encoded."""
    text = re.sub(r"[\x00-\x20\x7f]", "", text)
    return text.replace("\\", "%5C").replace(",", "%2C").replace(";", "%3B")


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space,
    never splitting a UTF-8 character (nor, to be kind to readers, an escape)."""
    parts, current, size = [], "", 0
    for char in _TOKEN.findall(line):
        width = len(char.encode("utf-8"))
        limit = FOLD_AT if not parts else FOLD_AT - 1  # the continuation's space counts
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _name_parts(name: str) -> tuple[str, str]:
    """(family, given): the last word is taken as the family name."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return words[-1], " ".join(words[:-1])


def _properties(entry: Entry, version: str) -> list[str]:
    person = entry.person
    family, given = _name_parts(person.name)
    lines = [f"FN:{escape(person.name)}", f"N:{escape(family)};{escape(given)};;;",
             f"UID:{_uri(entry.uid)}", *_for_contacts(person, version)]
    if not entry.shown:
        return lines
    if person.company:
        lines.append(f"ORG:{escape(person.company)}")
    if person.position:
        lines.append(f"TITLE:{escape(person.position)}")
    if person.headline:
        lines.append(f"NOTE:{escape(person.headline)}")
    if person.city:
        kind = "TYPE=work" if version == "4.0" else "TYPE=WORK"
        lines.append(f"ADR;{kind}:;;;{escape(person.city)};;;")
    lines += [f"URL:{_uri(url)}" for url in (person.website, person.linkedin, person.xing)
              if url]
    return lines


def _for_contacts(person: User, version: str) -> list[str]:
    """What a person shares with every contact, whoever may see their profile:
    the phone number, and (vCard 4.0 only: 3.0 has no date without a year) the
    birthday as day and month."""
    lines = [f"TEL;TYPE={'voice' if version == '4.0' else 'VOICE'}:{escape(person.phone)}"] \
        if person.phone else []
    if version == "4.0" and person.birthday_day and person.birthday_month:
        lines.append(f"BDAY:--{person.birthday_month:02d}{person.birthday_day:02d}")
    return lines


def card(entry: Entry, version: str, now: datetime) -> str:
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version!r} is not supported")
    head = ["BEGIN:VCARD", f"VERSION:{version}", f"PRODID:{PRODID}"]
    if version == "4.0":
        head.append("KIND:individual")
    rev = f"REV:{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    lines = [*head, *_properties(entry, version), rev, "END:VCARD"]
    return "".join(fold(line) + "\r\n" for line in lines)


def cards(entries: Iterable[Entry], version: str, now: datetime) -> bytes:
    """Several cards in one file (what address books import as a list)."""
    return "".join(card(entry, version, now) for entry in entries).encode("utf-8")
