"""Who should meet whom, and why: deterministic and explainable.

Topics, offers and needs are compared by a normalised key, so that
"Digitalisierung", " digitalisierung " and "DIGITALISIERUNG" are one topic
and "Straße" equals "Strasse". A complementary offer or need (one of us offers
what the other looks for) weighs most, then a shared topic. Working in the same
industry is no reason to meet on its own — it may just mean competing for the
same customers — so it only breaks ties between people who have a reason.
"""

import re
import unicodedata
from dataclasses import dataclass, field

FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MAX_TOPICS = 10
MAX_ITEMS = 5
WEIGHT_OFFER_NEED = 3
WEIGHT_TOPIC = 1
WEIGHT_INDUSTRY = 0.5  # less than any reason: it orders, it never qualifies


def key(text: str) -> str:
    """The comparison key of a topic, offer or need."""
    text = unicodedata.normalize("NFC", text).casefold().translate(FOLD)
    return re.sub(r"\s+", " ", text).strip()


def clean_items(items: list[str], limit: int) -> list[str]:
    """Tidy spacing, drop empties and duplicates (by key), keep the first spelling."""
    result, seen = [], set()
    for item in items:
        text = re.sub(r"\s+", " ", item or "").strip()[:60]
        if text and key(text) not in seen:
            seen.add(key(text))
            result.append(text)
    return result[:limit]


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    industry: str = ""
    topics: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass
class Suggestion:
    person: Person
    score: float = 0
    they_need: list[str] = field(default_factory=list)  # I offer what they look for
    they_offer: list[str] = field(default_factory=list)  # they offer what I look for
    shared_topics: list[str] = field(default_factory=list)
    same_industry: bool = False


def _matches(mine: tuple[str, ...], theirs: tuple[str, ...]) -> list[str]:
    wanted = {key(item) for item in theirs}
    return [item for item in mine if key(item) in wanted]


def suggest(me: Person, others: list[Person], limit: int = 3) -> list[Suggestion]:
    """The best people for ``me`` to talk to, each with the reasons."""
    suggestions = []
    for other in others:
        if other.user_id == me.user_id:
            continue
        found = Suggestion(
            other, they_need=_matches(me.offers, other.needs),
            they_offer=_matches(other.offers, me.needs),
            shared_topics=_matches(other.topics, me.topics),
            same_industry=bool(me.industry) and me.industry == other.industry)
        reasons = (WEIGHT_OFFER_NEED * (len(found.they_need) + len(found.they_offer))
                   + WEIGHT_TOPIC * len(found.shared_topics))
        if reasons > 0:
            found.score = reasons + WEIGHT_INDUSTRY * found.same_industry
            suggestions.append(found)
    # Ties: by name, then id, so the same data always gives the same list.
    suggestions.sort(key=lambda s: (-s.score, key(s.person.name), s.person.user_id))
    return suggestions[:limit]
