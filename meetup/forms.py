"""The base of every form: the form library's own messages in the app's tone.

WTForms and Flask-WTF bring their own messages ("Field cannot be longer than 200
characters.", in German "Feld kann nicht länger als 200 Zeichen sein."). Each form
here reads them through ``Messages`` instead, which answers with the app's own
wording from the app's catalogue, in the language of the request."""

from collections.abc import Callable

from flask_babel import get_translations
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms.widgets import Select


def gettext(text: str) -> str:
    """The translation, unformatted: the form library fills in its placeholders."""
    return get_translations().gettext(text)


def ngettext(singular: str, plural: str, number: int) -> str:
    return get_translations().ngettext(singular, plural, number)


# The form library's message (its English text) → ours, by number where it counts.
OWN: dict[str, Callable[[int], str]] = {
    "This field is required.": lambda n: gettext("Please fill in this field."),
    "Field cannot be longer than %(max)d character.": lambda n: ngettext(
        "Please use at most %(max)d character.", "Please use at most %(max)d characters.", n),
    "Field must be at least %(min)d character long.": lambda n: ngettext(
        "Please use at least %(min)d character.", "Please use at least %(min)d characters.", n),
    "Field must be exactly %(max)d character long.": lambda n: ngettext(
        "Please use exactly %(max)d character.", "Please use exactly %(max)d characters.", n),
    "Field must be between %(min)d and %(max)d characters long.": lambda n: gettext(
        "Please use between %(min)d and %(max)d characters."),
    "Number must be at least %(min)s.": lambda n: gettext("Please enter at least %(min)s."),
    "Number must be at most %(max)s.": lambda n: gettext("Please enter at most %(max)s."),
    "Number must be between %(min)s and %(max)s.": lambda n: gettext(
        "Please enter a number from %(min)s to %(max)s."),
    "Date must be at least %(min)s.": lambda n: gettext("Please choose %(min)s or later."),
    "Date must be at most %(max)s.": lambda n: gettext("Please choose %(max)s or earlier."),
    "Date must be between %(min)s and %(max)s.": lambda n: gettext(
        "Please choose a date from %(min)s to %(max)s."),
    "Not a valid integer value.": lambda n: gettext("Please enter a whole number."),
    "Not a valid decimal value.": lambda n: gettext("Please enter a number."),
    "Not a valid float value.": lambda n: gettext("Please enter a number."),
    "Not a valid datetime value.": lambda n: gettext("Please enter a date and a time."),
    "Not a valid date value.": lambda n: gettext("Please enter a date."),
    "Not a valid time value.": lambda n: gettext("Please enter a time."),
    "Not a valid choice.": lambda n: gettext("Please choose one of the options."),
    "Invalid Choice: could not coerce.": lambda n: gettext("Please choose one of the options."),
    "Invalid email address.": lambda n: gettext("Please enter a valid email address."),
    "Invalid URL.": lambda n: gettext("Please enter a complete web address."),
    "Invalid input.": lambda n: gettext("Please check this entry."),
    "Field must be equal to %(other_name)s.": lambda n: gettext("The two entries differ."),
    "Invalid value, must be one of: %(values)s.": lambda n: gettext(
        "Please choose one of: %(values)s."),
    "File does not have an approved extension.": lambda n: gettext(
        "Please choose a file of a supported type."),
    "CSRF token missing.": lambda n: gettext(
        "This form has expired. Please send it again."),
    "CSRF token expired.": lambda n: gettext("This form has expired. Please send it again."),
    "Invalid CSRF Token.": lambda n: gettext("This form has expired. Please send it again."),
    "CSRF failed.": lambda n: gettext("This form has expired. Please send it again."),
}
PLURALS = {"Field cannot be longer than %(max)d characters.":
           "Field cannot be longer than %(max)d character.",
           "Field must be at least %(min)d characters long.":
           "Field must be at least %(min)d character long.",
           "Field must be exactly %(max)d characters long.":
           "Field must be exactly %(max)d character long."}


class Messages:
    """What WTForms asks for as ``field.gettext`` / ``field.ngettext``."""

    def gettext(self, text: str) -> str:
        own = OWN.get(text)
        return own(1) if own else gettext(text)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        own = OWN.get(singular) or OWN.get(PLURALS.get(plural, ""))
        return own(number) if own else ngettext(singular, plural, number)


MESSAGES = Messages()


class Form(FlaskForm):
    """Every form of the app derives from this one."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return MESSAGES


class LongSelect(Select):
    """A select for long lists (every club, every city): the options written in one
    pass, as the form library's own widget writes them, without its per-option
    attribute builder, which costs a list of 200 clubs several milliseconds a page."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')
