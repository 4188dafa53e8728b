from django import template

from assessments import access, thai
from assessments.scoring import round2

register = template.Library()


@register.filter
def score(value):
    """A score as published: two decimals, half up ("86.59"); a dash when unknown."""
    return thai.score_text(value)


@register.filter
def change(value):
    """A change against last year, negatives in parentheses as official documents print them: "(4.72)"."""
    return thai.change_text(value)


@register.filter
def figure(result, code):
    """The figure of record for `code` in a scoring result, or None."""
    return result.shown(code) if result else None


@register.filter
def trend(value):
    """CSS class for a change against last year: "fall", "rise", or "" when none or unknown."""
    if value is None or value == "":
        return ""
    rounded = round2(value)
    return "fall" if rounded < 0 else "rise" if rounded > 0 else ""


@register.filter
def has_oversight(user):
    """Whether the user oversees other agencies (or administers them all)."""
    return access.has_oversight(user)


@register.filter
def can_bundle(user):
    """Whether the user may ask for year-end bundles: administrators and integrity officers."""
    return access.edits_any_agency(user)


@register.filter
def can_read_access_log(user):
    """Whether the user reads the access log: system and agency administrators; read with the menu's memberships."""
    return access.can_read_access_log(user)


@register.filter
def people_agencies(user):
    """Codes of the agencies whose people the user manages as their administrator (the menu)."""
    return access.people_agencies(user)


@register.filter
def manages_people(user, code):
    """Whether the user manages the people of the agency with this code (its page's link)."""
    return access.manages_people_of(user, code)


@register.filter
def has_units(user):
    """Whether the user reports for a unit (and so has "My updates"); asked once per request."""
    return access.has_units(user)


@register.filter
def thai_date(value, form="long"):
    """A date in the Buddhist Era: "1 ตุลาคม 2568", or with "short" "22 ธ.ค. 65"."""
    return thai.thai_date(value, short=form == "short")


@register.filter
def person(user):
    """A user as pages name people: full name, else user name; "–" when unknown (a command, a deleted user)."""
    if user is None:
        return "–"
    return user.get_full_name() or user.get_username()


@register.filter(expects_localtime=True)
def thai_datetime(value, form="short"):
    """A moment in Bangkok time, Buddhist Era: "22 ธ.ค. 65 14:05", or with "long" "22 ธันวาคม 2565 14:05"."""
    if not value:
        return ""
    return f"{thai.thai_date(value, short=form == 'short')} {value:%H:%M}"


@register.filter
def thai_digits(value):
    """Arabic digits as Thai digits (๑๒๓), as many official documents print them."""
    return thai.thai_digits(value)
