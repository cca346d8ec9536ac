"""Helpers for browser journeys."""

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD


def log_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would, and wait for the account menu."""
    page.goto(base + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".menu > summary")).to_be_visible()
