"""Filters of the documents' own templates (the letterhead and the signature blocks)."""

import base64

from django import template
from django.utils.safestring import mark_safe

from assessments.thai import thai_date, thai_digits

register = template.Library()


@register.filter
def data_url(content, content_type):
    """The logo inside the HTML, so WeasyPrint needs no file and no address to fetch."""
    if not content:
        return ""
    return mark_safe(f"data:{content_type or 'image/png'};base64,{base64.b64encode(bytes(content)).decode('ascii')}")


@register.filter
def document_digits(value, thai):
    """The text with Thai digits when the document prints them (?digits=thai)."""
    return thai_digits(value) if thai else str(value)


@register.filter
def document_date(date, thai):
    """A date in the Buddhist Era as official documents write it: "1 ตุลาคม 2568"."""
    text = thai_date(date)
    return thai_digits(text) if thai else text
