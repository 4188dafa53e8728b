import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments import thai
from assessments.choosers import agency_choice
from assessments.importing import too_large_message
from assessments.models import Assessment


class ThaiDateInput(forms.TextInput):
    """A text box for a day/month/Buddhist-year date, with the picker of static/js/datepicker.js:
    the month and weekday names it draws come from here, in the interface's language."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "data-datepicker": "", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return thai.slash_date(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "placeholder": _("dd/mm/yyyy"),
                "data-months": "|".join(thai.month_names()),
                "data-weekdays": "|".join(thai.weekday_names()),
                "data-picker-label": _("Choose a date"),
                "data-previous-label": _("Previous month"),
                "data-next-label": _("Next month"),
            }
        )
        return context


class ThaiDateBoundField(forms.BoundField):
    def value(self):
        # A date the form refused is shown as it was typed, so that it can be corrected.
        if self.form.is_bound and self.errors:
            return self.data
        return super().value()


class ThaiDateField(forms.DateField):
    """A date typed the Thai way ("22/12/2568", "22 ธ.ค. 68", Thai digits), in English
    ("22 Dec 2025") or as a browser's date input sends it ("2025-12-22"); see thai.read_date.
    A date is shown back as dd/mm/BBBB, one the form refused as it was typed."""

    widget = ThaiDateInput
    bound_field_class = ThaiDateBoundField

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return thai.read_date(str(value))
        except thai.NotADate as problem:
            raise forms.ValidationError(problem.args[0], code="invalid") from None

    def prepare_value(self, value):
        # A date typed another way (ISO, a Christian-era year, a month name) is shown back as dd/mm/BBBB.
        if isinstance(value, str) and value.strip():
            try:
                return thai.read_date(value)
            except thai.NotADate:
                return value
        return value


class ResultsFileForm(forms.Form):
    file = forms.FileField(
        label=_("Results file"),
        help_text=_("CSV or XLSX with the columns agency, fiscal_year, code, part, score."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError(too_large_message())
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class TierSettingsForm(forms.ModelForm):
    """How this agency sorts its items into tiers for this year."""

    class Meta:
        model = Assessment
        fields = ["tier_scheme", "tier_target", "tier_lower", "tier_upper"]
        widgets = {"tier_scheme": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean()
        lower, upper = cleaned.get("tier_lower"), cleaned.get("tier_upper")
        if lower is not None and upper is not None and lower >= upper:
            self.add_error("tier_upper", _("The upper bound must be above the lower bound."))
        return cleaned


class ResultsTemplateForm(forms.Form):
    """Which agency's year the blank results template is for, and its file format. Read from the
    query string; the agency is checked by the view (access), the year against the frameworks."""

    agency = forms.ChoiceField(label=_("Agency"))
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        coerce=int,
        error_messages={
            "invalid_choice": _("No assessment framework covers fiscal year %(value)s; choose one of the years listed.")
        },
    )
    format = forms.ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")], required=False)

    def __init__(self, *args, agencies, years, **kwargs):
        super().__init__(*args, **kwargs)
        few = agency_choice(agencies).few
        self.offers_agency = few is None or bool(few)
        if few is None:
            # Too many to list (a system administrator's every agency): the code is typed, and the
            # view's access check refuses one the user may not import for.
            self.fields["agency"] = forms.CharField(
                label=_("Agency code"),
                max_length=32,
                help_text=_("The agency's code, as the overview and the agency's page show it."),
            )
        else:
            self.fields["agency"].choices = [(a.code, f"{a.code} – {a.name_th}") for a in few]
        self.fields["fiscal_year"].choices = [(year, str(year)) for year in years]
