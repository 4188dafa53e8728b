"""The access log's filters."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessEvent
from assessments.forms import ThaiDateField


class BuddhistEraDateFilter(django_filters.DateFilter):
    field_class = ThaiDateField


def start_of(date):
    """The first moment of a day in the site's time zone (Bangkok), as stored times compare."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


class AccessLogFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels stand above their fields
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must not be before the start date."))
        return cleaned


class AccessLogFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=AccessEvent.Kind.choices, empty_label=_("All"))
    username = django_filters.CharFilter(
        label=_("User name contains"), lookup_expr="icontains", widget=forms.TextInput(attrs={"type": "search"})
    )
    agency = django_filters.CharFilter(label=_("Agency code"), field_name="agency__code", lookup_expr="iexact")
    # Whole days in Bangkok time, compared as ranges of moments so that the index on `at` serves them.
    since = BuddhistEraDateFilter(label=_("From"), method="filter_since")
    until = BuddhistEraDateFilter(label=_("To"), method="filter_until")

    class Meta:
        form = AccessLogFilterForm

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=start_of(value + datetime.timedelta(days=1)))
