"""Forms of the OIT checklist: they validate and normalise; views only pass them data."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from assessments.forms import ThaiDateField
from assessments.text import interpolate
from measures.evidence import Refused, check_evidence
from measures.models import Unit
from oit.models import ChecklistItem, PublicPage


class AssignmentForm(forms.ModelForm):
    """Who answers an item and by when (the integrity office)."""

    due_date = ThaiDateField(label=_("Due date"), required=False)

    class Meta:
        model = ChecklistItem
        fields = ["unit", "person", "due_date"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency).order_by("name")


class EvidenceForm(forms.Form):
    """One piece of evidence: a link on the agency's site, a file, or both, with a short label."""

    label = forms.CharField(label=_("Label"), max_length=255)
    url = forms.CharField(label=_("Address on the agency's website"), max_length=1000, required=False)
    file = forms.FileField(label=_("File"), required=False)
    public = forms.BooleanField(label=_("Show the file on the public ITA page"), required=False)

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise ValidationError(_("Give a web address starting with http:// or https://.")) from None
        return url

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload:
            return None
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise ValidationError(
                interpolate(
                    _("“%(name)s” is larger than %(limit)s MB."),
                    {"name": upload.name, "limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
                )
            )
        data = upload.read()
        upload.seek(0)
        try:
            return upload, check_evidence(upload.name, data)
        except Refused as refused:
            raise ValidationError(interpolate(refused.message, {"name": upload.name, **refused.params})) from None

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("url") and not cleaned.get("file"):
            raise ValidationError(_("Give a link, a file, or both."))
        return cleaned


class StepForm(forms.Form):
    """A review step; returning and reopening need a reason."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if self.needs_reason and not comment:
            raise ValidationError(_("Say what has to change, so that the unit knows."))
        return comment


class PublicPageForm(forms.ModelForm):
    """Publish the agency's ITA page of the year, and say which of its sites may embed it."""

    publish = forms.BooleanField(label=_("Publish the page"), required=False)

    class Meta:
        model = PublicPage
        fields = ["frame_ancestors"]

    def clean_frame_ancestors(self):
        sites = self.cleaned_data["frame_ancestors"].split()
        for site in sites:
            scheme, _sep, host = site.partition("://")
            if scheme not in ("http", "https") or not host or any(ch in host for ch in "/;'\" ,"):
                raise ValidationError(
                    interpolate(
                        _("“%(site)s” is not a site address such as https://www.example.go.th."), {"site": site}
                    )
                )
        return " ".join(sites)
