"""Introductions over confirmed contacts: paths, requests, forwarding."""
