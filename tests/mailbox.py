"""A real SMTP server on 127.0.0.1 that keeps what arrives."""

import re
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        # Recipients the server refuses, with its reply ("550 5.1.1 No such user").
        self.refused: dict[str, str] = {}
        # Called with each mail before the server answers 250 (tests' own doings).
        self.on_arrival = None
        # Called before the mailbox is looked at: hands the outbox to the server
        # (set for tests marked ``deliver_outbox``).
        self.pump = None
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refused.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        if self.on_arrival is not None:
            self.on_arrival(message)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.refused.clear()
            self.on_arrival = None
        self.pump = None

    def deliver(self) -> None:
        if self.pump is not None:
            self.pump()

    def wait_for_count(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """Wait until at least ``count`` mails arrived in all; returns them all."""
        self.deliver()
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)

    def arrived(self) -> list[EmailMessage]:
        """Every mail so far, after handing the outbox over."""
        self.deliver()
        with self._lock:
            return list(self.messages)

    def by_message_id(self) -> Counter:
        """How often each Message-ID arrived."""
        with self._lock:
            return Counter(message["Message-ID"] for message in self.messages)

    def wait_for(self, to: str, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        def found():
            return [m for m in self.messages if to.lower() in m["To"].lower()]

        self.deliver()
        with self._arrived:
            self._arrived.wait_for(lambda: len(found()) >= count, timeout=timeout)
            mails = found()
        assert len(mails) >= count, f"expected {count} mail(s) to {to}, got {len(mails)}"
        return mails

    def last_link(self, to: str) -> str:
        body = self.wait_for(to)[-1].get_body(("plain",)).get_content()
        links = re.findall(r"https?://\S+", body)
        assert links, body
        return links[-1]


def start_smtp(port: int) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox
