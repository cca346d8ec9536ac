"""Written calendar parts kept for reuse: each event's VEVENT and whole feeds.

A VEVENT is kept under everything its bytes are written from (see
``render.vevent_key``), so a changed event, group name, language or reader's
answer simply misses and is written anew; nothing is ever invalidated. Whole
feeds are kept under their ETag, which covers everything a feed is written from.

Both live in each process, bounded (least recently used go first). With
``REDIS_URL`` set, VEVENTs are shared through Redis as well (for a day), so a
new worker process or another host does not write them all again. Redis that
cannot be reached only costs speed: the feed is written as if nothing were kept.
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from flask import Flask, current_app

log = logging.getLogger(__name__)
REDIS_PREFIX = "treffpunkt:calendar:vevent:"
REDIS_SECONDS = 24 * 3600


class LRU:
    """A bounded mapping; a size of 0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()  # `flask run` serves requests in threads

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Shared:
    """VEVENTs in Redis, under a hash of their key."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5,
                                           socket_connect_timeout=0.5)

    @staticmethod
    def name(key: Hashable) -> str:
        return REDIS_PREFIX + hashlib.sha256(repr(key).encode()).hexdigest()

    def get_many(self, keys: list[Hashable]) -> dict[Hashable, bytes]:
        try:
            values = self.client.mget([self.name(key) for key in keys])
        except Exception as error:  # noqa: BLE001 - any Redis failure: write the events
            log.warning("Calendar cache in Redis not reachable: %r", error)
            return {}
        return {key: value for key, value in zip(keys, values, strict=True)
                if value is not None}

    def put_many(self, items: Iterable[tuple[Hashable, bytes]]) -> None:
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for key, value in items:
                    pipe.set(self.name(key), value, ex=REDIS_SECONDS)
                pipe.execute()
        except Exception as error:  # noqa: BLE001 - the feed is written all the same
            log.warning("Calendar cache in Redis not reachable: %r", error)


class Caches:
    def __init__(self, config):
        self.events = LRU(config["CALENDAR_CACHE_EVENTS"])
        self.feeds = LRU(config["CALENDAR_CACHE_FEEDS"])
        url = config.get("REDIS_URL")
        self.shared = Shared(url) if url and self.events.size > 0 else None

    def vevents(self, keys: list[Hashable]) -> dict[Hashable, bytes]:
        """The VEVENTs kept for these keys (those missing are not in the answer)."""
        found = {}
        for key in keys:
            value = self.events.get(key)
            if value is not None:
                found[key] = value
        if self.shared is not None and len(found) < len(keys):
            shared = self.shared.get_many([key for key in keys if key not in found])
            for key, value in shared.items():
                self.events.put(key, value)
            found.update(shared)
        return found

    def keep_vevents(self, items: dict[Hashable, bytes]) -> None:
        for key, value in items.items():
            self.events.put(key, value)
        if self.shared is not None and items:
            self.shared.put_many(items.items())


def init_app(app: Flask) -> None:
    app.extensions["calendar_cache"] = Caches(app.config)


def caches() -> Caches:
    return current_app.extensions["calendar_cache"]
