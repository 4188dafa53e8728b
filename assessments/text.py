"""Messages that render in whichever language is active when they are shown.

`_("…") % values` would fix the language at the moment of formatting; import errors must
be shown in Thai and in English from one message, so formatting is deferred too.
"""

from django.utils import translation
from django.utils.functional import lazy


def _interpolate(template, values):
    return str(template) % {key: str(value) for key, value in values.items()}


interpolate = lazy(_interpolate, str)


def in_thai_and_english(message):
    """One line for command output, which has no language switch: "ไทย | English"."""
    with translation.override("th"):
        thai = str(message)
    with translation.override("en"):
        english = str(message)
    return thai if thai == english else f"{thai} | {english}"
