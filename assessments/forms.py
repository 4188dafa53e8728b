from django import forms
from django.utils.translation import gettext_lazy as _

MAX_RESULTS_FILE = 2 * 1024 * 1024


class ResultsFileForm(forms.Form):
    file = forms.FileField(
        label=_("Results file"),
        help_text=_("CSV or XLSX with the columns agency, fiscal_year, code, part, score."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RESULTS_FILE:
            raise forms.ValidationError(_("The file is larger than 2 MB; a results file is much smaller."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
