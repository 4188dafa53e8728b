"""Choosing one agency among those a person may choose: a drop-down when they are few, a search
when they are many (a system administrator's 8,000 agencies made a drop-down of a megabyte).

The search is a plain GET form on the same page, so it works without JavaScript; the matches
come back as radio buttons in the page's own form."""

from dataclasses import dataclass, field

from django import forms

# A drop-down longer than this is scrolled, not read; a ministry's departments fit.
DROP_DOWN_MOST = 50
# Matches listed for a search; more means the text should be more precise.
SUGGESTIONS = 20
SEARCH_MAX_LENGTH = 100


@dataclass
class AgencyChoice:
    """What a page offers: every agency (`few`), or the search's `matches`, `more` telling that
    further agencies matched than are listed."""

    few: list | None
    search: str = ""
    matches: list = field(default_factory=list)
    more: bool = False

    @property
    def by_search(self):
        return self.few is None


def agency_choice(agencies, search="", chosen=""):
    """The agencies of the QuerySet `agencies` to offer, in at most three queries whatever their
    number: all of them when there are at most DROP_DOWN_MOST; else those matching `search`, with
    the one already `chosen` (a code) among them so that a form shown again keeps it."""
    few = list(agencies[: DROP_DOWN_MOST + 1])
    if len(few) <= DROP_DOWN_MOST:
        return AgencyChoice(few)
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if not search and not chosen:
        return AgencyChoice(None)
    matches = list(agencies.matching(search)[: SUGGESTIONS + 1]) if search else []
    more, matches = len(matches) > SUGGESTIONS, matches[:SUGGESTIONS]
    if chosen and chosen not in {agency.code for agency in matches}:
        matches = [*agencies.filter(code=chosen)[:1], *matches]
    return AgencyChoice(None, search, matches, more)


def offer(model_field, choice):
    """Show a ModelChoiceField over agencies (by code) as `choice` says: the drop-down of the few,
    or radio buttons of the matches; the field still accepts any agency of its queryset."""
    labels = [(agency.code, model_field.label_from_instance(agency)) for agency in choice.few or choice.matches]
    if choice.by_search:
        model_field.widget = forms.RadioSelect()
        model_field.widget.is_required = model_field.required
        model_field.widget.choices = labels
    else:
        empty = [] if model_field.empty_label is None else [("", model_field.empty_label)]
        model_field.widget.choices = [*empty, *labels]
