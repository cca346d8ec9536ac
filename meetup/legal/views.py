"""Impressum and privacy pages, linked from every page's footer."""

from flask import Blueprint, redirect, render_template, url_for

from meetup.i18n import current_language
from meetup.legal.pages import operator_text

bp = Blueprint("legal", __name__)


@bp.get("/impressum")
def impressum():
    return render_template("legal/impressum.html",
                           text=operator_text("impressum", current_language()))


@bp.get("/datenschutz")
def privacy():
    return render_template("legal/privacy.html",
                           text=operator_text("privacy", current_language()))


# The English addresses lead to the same pages; each page keeps one address.
@bp.get("/imprint")
def imprint_alias():
    return redirect(url_for("legal.impressum"), 301)


@bp.get("/privacy")
def privacy_alias():
    return redirect(url_for("legal.privacy"), 301)
