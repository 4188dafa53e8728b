from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.importing import too_large_message
from assessments.models import Assessment
from assessments.thai import to_christian_era


class ThaiDateField(forms.DateField):
    """A date as a date input sends it; a year typed in the Buddhist Era (2568) is taken as such."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        date = super().to_python(value)
        if date and date.year > 2400:
            try:
                return date.replace(year=to_christian_era(date.year))
            except ValueError:  # 29 February in a year that has one only when read as Christian
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return date


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
        self.fields["agency"].choices = [(a.code, f"{a.code} – {a.name_th}") for a in agencies]
        self.fields["fiscal_year"].choices = [(year, str(year)) for year in years]
