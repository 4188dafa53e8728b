"""The forms of the documents an agency publishes: its profile (letterhead and logo), a document's
sign-off and the executive's acknowledgement."""

import io
import warnings

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from assessments.forms import ThaiDateField
from measures.models import RoundKind
from reports.models import LOGO_MAX_BYTES, AgencyProfile, DocumentKind, SignOff

# Pictures of these formats only, told by their content: a PDF, an HTML page or an SVG drawing
# named logo.png is refused, and the one kept is re-encoded, so nothing of the upload but its
# pixels reaches the documents.
LOGO_FORMATS = {"PNG", "JPEG"}
# Larger than any logo needs (it prints 2.7 cm high); also what keeps a "decompression bomb" out.
LOGO_MAX_PIXELS = 4000 * 4000
# Kept at most 600 pixels a side: about 560 dpi at the 2.7 cm it prints, and a small PDF to build.
LOGO_KEPT_SIZE = (600, 600)

NOT_A_PICTURE = _("The logo must be a PNG or JPEG picture; this file is not one (or it is damaged). Nothing was saved.")
TOO_LARGE = _("The logo is larger than 1 MB. Please upload a smaller picture. Nothing was saved.")
TOO_MANY_PIXELS = _("The logo is more than 4000 × 4000 pixels. Please upload a smaller picture. Nothing was saved.")


def checked_logo(upload) -> bytes:
    """The uploaded logo re-encoded as PNG, after opening it by its content with Pillow; raises
    ValidationError for anything that is not a sound PNG or JPEG picture of a sensible size."""
    if upload.size > LOGO_MAX_BYTES:
        raise forms.ValidationError(TOO_LARGE, code="too_large")
    content = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format not in LOGO_FORMATS:
                    raise forms.ValidationError(NOT_A_PICTURE, code="not_a_picture")
                if probe.width * probe.height > LOGO_MAX_PIXELS:
                    raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
                probe.verify()  # the file's structure and checksums
            # verify() leaves the image unusable: open again and decode every pixel.
            with Image.open(io.BytesIO(content)) as picture:
                picture.load()
                kept = picture.convert("RGBA" if "A" in picture.getbands() or picture.mode == "P" else "RGB")
    except forms.ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError, Image.DecompressionBombError):
        raise forms.ValidationError(NOT_A_PICTURE, code="not_a_picture") from None
    except Image.DecompressionBombWarning:
        raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
    kept.thumbnail(LOGO_KEPT_SIZE)
    output = io.BytesIO()
    kept.save(output, format="PNG", optimize=True)  # no text chunks, no EXIF: pixels only
    return output.getvalue()


class AgencyProfileForm(forms.ModelForm):
    """The agency's letterhead, edited by its administrators."""

    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG picture of at most 1 MB; it prints about 2.7 cm high, centred above the name."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={"empty": NOT_A_PICTURE, "invalid": NOT_A_PICTURE},
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = AgencyProfile
        fields = ["full_name", "address", "telephone", "website", "progress_layout"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "full_name": _("As the letterhead prints it, e.g. สำนักงานส่งเสริมการจัดประชุมและนิทรรศการ (องค์การมหาชน)."),
            "website": _("e.g. www.tceb.or.th"),
        }

    def clean_full_name(self):
        return self.cleaned_data["full_name"].strip()

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        return checked_logo(upload)

    def save(self, commit=True):
        profile = super().save(commit=False)
        logo = self.cleaned_data.get("logo_file")
        if logo:
            profile.logo, profile.logo_type = logo, "image/png"
        elif self.cleaned_data.get("remove_logo"):
            profile.logo, profile.logo_type = None, ""
        if commit:
            profile.save()
        return profile


def document_choices():
    """(kind, round kind) of every document that has a sign-off: the progress reports per round."""
    return [(kind, "") for kind in DocumentKind.values if kind != DocumentKind.PROGRESS] + [
        (DocumentKind.PROGRESS, round_kind) for round_kind in RoundKind.values
    ]


class DocumentForm(forms.Form):
    """Which document a posted form is about: its kind and, for a progress report, its round."""

    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    round_kind = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if "kind" in data and (data["kind"], data.get("round_kind", "")) not in document_choices():
            raise forms.ValidationError(_("There is no such document."), code="no_such_document")
        return data


class SignOffForm(forms.ModelForm):
    """Which signature blocks a document prints, and the names typed for them; a blank name takes
    the person of the step recorded in the app."""

    class Meta:
        model = SignOff
        fields = [
            "prepared",
            "prepared_name",
            "prepared_position",
            "checked",
            "checked_name",
            "checked_position",
            "approved",
            "approved_name",
            "approved_position",
            "acknowledgement",
        ]


DECISIONS = [("รับทราบ", _("Acknowledged (รับทราบ)")), ("เห็นชอบ", _("Approved (เห็นชอบ)"))]


class AcknowledgementForm(forms.Form):
    """An executive's or the agency administrator's acknowledgement of a plan or a report."""

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, initial="รับทราบ", widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=200,
        help_text=_("A short instruction printed after the decision, e.g. ให้ดำเนินการตามแผน."),
    )
    name = forms.CharField(label=_("Name as printed"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    acknowledged_on = ThaiDateField(label=_("Date"))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give the name to print."), code="required")
        return name

    def clean_acknowledged_on(self):
        date = self.cleaned_data["acknowledged_on"]
        if date > self.today:
            raise forms.ValidationError(_("The date cannot be after today."), code="future")
        return date

    def text(self):
        note = self.cleaned_data["note"].strip()
        return f"{self.cleaned_data['decision']} {note}".strip()
