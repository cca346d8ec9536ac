"""Notifications: mails queued in the caller's transaction, delivered by a sender.

``outbox.queue`` renders a mail and adds it to the session; the transaction that
caused the mail decides whether it exists. ``sender.send_pending`` (run by
``flask --app meetup outbox work``) delivers what is due, with retries.
"""
