"""Impressum and privacy notice, written by each installation's operator."""
