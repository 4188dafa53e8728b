"""Filters for lists of many agencies' results."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import SCORE_VALIDATORS, AgencyType, Level


def level_names(year):
    """The level names of the framework version of `year`, from the highest level down, as assessments store them."""
    levels = Level.objects.filter(version__first_year__lte=year, version__last_year__gte=year).order_by("order")
    return [level.name_th or level.code for level in levels]


class OverviewFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels stand above their fields
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_score"), cleaned.get("max_score")
        if low is not None and high is not None and low > high:
            self.add_error("max_score", _("The maximum score must not be lower than the minimum score."))
        return cleaned


def score_input(placeholder):
    """The score range's inputs sit side by side under one legend, their labels shown as placeholders."""
    return forms.NumberInput(
        attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal", "placeholder": placeholder}
    )


class OverviewFilter(django_filters.FilterSet):
    """The overview's filters; the parent and level choices depend on the user and the year."""

    name = django_filters.CharFilter(
        label=_("Agency name or code"), method="filter_name", widget=forms.TextInput(attrs={"type": "search"})
    )
    # By code, so that links such as ?agency_type=local_government stay readable and bookmarkable.
    agency_type = django_filters.ModelChoiceFilter(
        field_name="agency__agency_type",
        label=_("Agency type"),
        queryset=AgencyType.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
    parent = django_filters.ModelChoiceFilter(
        field_name="agency__parent", label=_("Parent agency"), queryset=None, empty_label=_("All")
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=(), empty_label=_("All"))
    min_score = django_filters.NumberFilter(
        field_name="overall",
        lookup_expr="gte",
        label=_("From"),
        validators=SCORE_VALIDATORS,
        widget=score_input(_("From")),
    )
    max_score = django_filters.NumberFilter(
        field_name="overall",
        lookup_expr="lte",
        label=_("To"),
        validators=SCORE_VALIDATORS,
        widget=score_input(_("To")),
    )

    class Meta:
        form = OverviewFilterForm

    def __init__(self, data, queryset, *, parents, levels):
        super().__init__(data, queryset)
        self.filters["parent"].queryset = parents
        self.filters["level"].extra["choices"] = [(name, name) for name in levels]

    def filter_name(self, queryset, name, value):
        return queryset.filter(
            Q(agency__name_th__icontains=value)
            | Q(agency__short_name__icontains=value)
            | Q(agency__code__icontains=value)
        )
