"""Forms of the measures app: they validate and normalise; views only pass them data."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Sum
from django.forms import inlineformset_factory
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from assessments import access
from assessments.forms import ThaiDateField
from assessments.models import Indicator, Item
from assessments.text import interpolate
from assessments.thai import MONTHS_SHORT, thai_date
from measures import improvement, plans
from measures.evidence import Refused, check_evidence
from measures.models import (
    FISCAL_MONTHS,
    Action,
    Activity,
    Confidence,
    ImprovementHeader,
    Measure,
    Period,
    ProgressEntry,
    ReportingRound,
    Status,
    Unit,
)
from measures.plans import FIRST_YEAR, LAST_YEAR, fiscal_year_bounds, months_between, quarter_months, unit_label

# --- Progress entries -------------------------------------------------------------------


class EntryForm(forms.ModelForm):
    """A unit's report for one round. `revision` is the version the user started from."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = ProgressEntry
        fields = ["result", "obstacles", "suggestions", "percent", "status", "kpi_actual", "links"]
        widgets = {
            "result": forms.Textarea(attrs={"rows": 6}),
            "obstacles": forms.Textarea(attrs={"rows": 3}),
            "suggestions": forms.Textarea(attrs={"rows": 3}),
            "links": forms.Textarea(attrs={"rows": 3, "placeholder": "https://"}),
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
            "kpi_actual": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
            "status": forms.RadioSelect,
        }
        labels = {"percent": _("Percent complete (0–100)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["revision"] = self.instance.revision

    def clean_links(self):
        """One http(s) address per line; blank lines dropped."""
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        bad = []
        for line in lines:
            try:
                check(line)
            except ValidationError:
                bad.append(line)
        if bad:
            raise ValidationError(
                interpolate(_("Not a web address (http:// or https://): %(lines)s"), {"lines": ", ".join(bad)})
            )
        return "\n".join(lines)

    def clean(self):
        """Status and percent agree: not started is 0 %, done is 100 %, and on track or delayed
        (both under way) lie strictly between."""
        cleaned = super().clean()
        status, percent = cleaned.get("status"), cleaned.get("percent")
        if status is None or percent is None:
            return cleaned
        if status == Status.NOT_STARTED and percent != 0:
            self.add_error("percent", _("A measure not started yet is 0 percent complete."))
            self.add_error("status", _("The percent complete says the work has started: choose another status."))
        elif status == Status.DONE and percent != 100:
            self.add_error("percent", _("A measure that is done is 100 percent complete."))
            self.add_error("status", _("Below 100 percent the measure is not done yet: choose another status."))
        elif status in (Status.ON_TRACK, Status.DELAYED) and not 0 < percent < 100:
            self.add_error("percent", _("A measure under way is more than 0 and less than 100 percent complete."))
            self.add_error(
                "status",
                _("At 0 percent the measure has not started yet: choose “Not started”.")
                if percent == 0
                else _("At 100 percent the measure is done: choose “Done”."),
            )
        return cleaned


class ActivityForm(forms.ModelForm):
    date = ThaiDateField(label=_("date"))

    class Meta:
        model = Activity
        fields = ["date", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


# One blank row to add an activity without JavaScript; a ticked "remove" box deletes a row.
ActivityFormSet = inlineformset_factory(
    ProgressEntry, Activity, form=ActivityForm, extra=1, can_delete=True, max_num=200, validate_max=True
)


def read_only(form):
    """`form` as typed, to read and copy but not to change: its text stays selectable (readonly),
    its choices and file inputs cannot be used (disabled). For a report locked while being typed."""
    for field in form.fields.values():
        fixed = isinstance(field.widget, (forms.widgets.ChoiceWidget, forms.CheckboxInput, forms.FileInput))
        field.widget.attrs["disabled" if fixed else "readonly"] = True
    return form


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleans to a list (empty when none were chosen)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(upload, initial) for upload in files]


def megabytes(size):
    return f"{size / (1024 * 1024):.3g}"


class EvidenceForm(forms.Form):
    """New evidence files for `entry`, checked by what they contain and by size: each file, the
    request's files together and all the entry's files. `too_large` says the request's files were
    not even stored because together they exceeded the request limit (see measures.evidence)."""

    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, images (PNG, JPEG, GIF, WebP) or Office documents; several at once."),
    )
    description = forms.CharField(label=_("Description of the files"), max_length=255, required=False)

    def __init__(self, *args, entry=None, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry, self.too_large = entry, too_large

    def clean_files(self):
        """(upload, content type) for each file; every refused file is named in the error."""
        uploads = self.cleaned_data["files"]
        request_limit = settings.EVIDENCE_MAX_REQUEST_BYTES
        if self.too_large or sum(upload.size for upload in uploads) > request_limit:
            raise ValidationError(
                interpolate(
                    _(
                        "The files chosen add up to more than %(limit)s MB, the most one save can take: nothing was "
                        "uploaded. Add them a few at a time."
                    ),
                    {"limit": megabytes(request_limit)},
                )
            )
        limit = settings.EVIDENCE_MAX_BYTES
        accepted, problems = [], []
        for upload in uploads:
            if upload.size > limit:
                problems.append(
                    interpolate(
                        _("“%(name)s” is larger than %(limit)s MB."), {"name": upload.name, "limit": megabytes(limit)}
                    )
                )
                continue
            data = upload.read()
            upload.seek(0)
            try:
                accepted.append((upload, check_evidence(upload.name, data)))
            except Refused as refused:
                problems.append(interpolate(refused.message, {"name": upload.name, **refused.params}))
        if problems:
            raise ValidationError(problems)
        if accepted and self.entry is not None:
            self.check_entry_total(sum(upload.size for upload, _type in accepted))
        return accepted

    def check_entry_total(self, adding):
        # Sound without a lock: any file added or removed meanwhile changes the entry's revision,
        # and the save is refused then (do_save_entry).
        stored = self.entry.evidence.aggregate(total=Sum("size"))["total"] or 0
        limit = settings.EVIDENCE_MAX_ENTRY_BYTES
        if stored + adding > limit:
            raise ValidationError(
                interpolate(
                    _(
                        "A report holds at most %(limit)s MB of evidence; it has %(stored)s MB and these files add "
                        "%(adding)s MB. Nothing was uploaded: remove files or send smaller ones."
                    ),
                    {"limit": megabytes(limit), "stored": megabytes(stored), "adding": megabytes(adding)},
                )
            )


class ReviewForm(forms.Form):
    """A step of the review; returning and reopening need a reason, sending needs the results.
    `revision` is the version of the entry the person saw when they pressed the button."""

    comment = forms.CharField(label=_("Comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    revision = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": _("This page lacks the version of the report it shows; reload it and try again.")},
    )

    def __init__(self, *args, entry, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry, self.action = entry, action

    def clean(self):
        cleaned = super().clean()
        comment = cleaned.get("comment", "").strip()
        if self.action in (Action.RETURN, Action.REOPEN) and not comment:
            self.add_error("comment", _("Give a reason."))
        if self.action == Action.SUBMIT and not self.entry.result.strip():
            raise ValidationError(_("Write the results of this round and save them before sending the report."))
        cleaned["comment"] = comment
        return cleaned


# --- Units and the measures plan -------------------------------------------------------------


class ModelChoices(forms.ModelMultipleChoiceField):
    """Several rows by id; an id too large for any database column is an invalid choice, not a
    database error (SQLite cannot even bind it)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) >= 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


def person_label(user):
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


class UnitForm(forms.ModelForm):
    """A unit of the agency: its parent is another unit of the same agency (never itself or one
    of its own sub-units), its members are people with a role in the agency."""

    class Meta:
        model = Unit
        fields = ["name", "abbreviation", "parent", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        field_classes = {"members": ModelChoices}
        help_texts = {"abbreviation": _("As documents write it, e.g. ส.บก. or ผอ.กท.")}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = self.instance.agency = agency
        below = self.sub_units()
        parent = self.fields["parent"]
        parent.queryset = Unit.objects.filter(agency=agency).exclude(pk__in=below).order_by("name")
        parent.label_from_instance = unit_label
        parent.empty_label = _("— none: a top-level unit —")
        members = self.fields["members"]
        members.queryset = access.members_of(agency).order_by("first_name", "username")
        members.label_from_instance = person_label
        members.help_text = _("People with a role in this agency; unit staff report for the units they belong to.")

    def sub_units(self):
        """The unit itself and every unit below it: none of them can be its parent."""
        if not self.instance.pk:
            return set()
        children = {}
        for pk, parent_id in Unit.objects.filter(agency=self.agency).values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, todo = set(), [self.instance.pk]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, []))
        return found

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Unit.objects.filter(agency=self.agency, name=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("This agency already has a unit with this name."))
        return name


MONTH_CHOICES = [(month, MONTHS_SHORT[month - 1]) for month in FISCAL_MONTHS]
QUARTER_CHOICES = [
    (1, _("Quarter 1 (Oct–Dec)")),
    (2, _("Quarter 2 (Jan–Mar)")),
    (3, _("Quarter 3 (Apr–Jun)")),
    (4, _("Quarter 4 (Jul–Sep)")),
]


NO_LEAD_UNIT = _("Choose the unit that leads this measure: without one, nobody reports on it.")


# The measure's own fields in the order the form shows them; the history and the admin list them too.
MEASURE_FIELDS = [
    "name",
    "indicators",
    "items",
    "analysis",
    "steps",
    "period",
    "months",
    "start_date",
    "end_date",
    "lead_unit",
    "supporting_units",
    "monitoring",
    "report_to",
    "report_frequency",
    "kpi",
    "target",
    "target_percent",
    "confidence",
    "risks",
    "strategy",
    "notes",
]


class MeasureForm(forms.ModelForm):
    """A measure of the plan of `instance.fiscal_year`. Indicators and items are those of
    `version`, the framework of the results the plan answers (the year before); units are the
    agency's. The period is normalised into `months` (fiscal order) and, for a date range,
    dates inside the fiscal year. `revision` is the version the editor started from."""

    revision = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    quarters = forms.TypedMultipleChoiceField(
        label=_("Quarters"), choices=QUARTER_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    months = forms.TypedMultipleChoiceField(
        label=_("Months"), choices=MONTH_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    start_date = ThaiDateField(label=_("start date"), required=False)
    end_date = ThaiDateField(label=_("end date"), required=False)

    class Meta:
        model = Measure
        fields = MEASURE_FIELDS
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "indicators": forms.CheckboxSelectMultiple,
            "items": forms.CheckboxSelectMultiple,
            "analysis": forms.Textarea(attrs={"rows": 4}),
            "steps": forms.Textarea(attrs={"rows": 6}),
            "period": forms.RadioSelect,
            "supporting_units": forms.CheckboxSelectMultiple,
            "monitoring": forms.Textarea(attrs={"rows": 3}),
            "kpi": forms.Textarea(attrs={"rows": 2}),
            "target_percent": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
            "risks": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "name": _("Measure, project or activity"),
            "analysis": _("Analysis of the results"),
            "steps": _("Steps or procedure"),
            "kpi": _("Key performance indicator (KPI)"),
        }
        help_texts = {"steps": _("One step per line, in order; they are numbered for you.")}
        field_classes = {"indicators": ModelChoices, "items": ModelChoices, "supporting_units": ModelChoices}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        measure = self.instance
        self.fiscal_year = measure.fiscal_year
        self.version = version
        units = Unit.objects.filter(agency=measure.agency).order_by("name")
        for name in ("lead_unit", "supporting_units"):
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = unit_label
        # Entries are made for the responsible units: a measure nobody leads is one nobody reports on.
        lead = self.fields["lead_unit"]
        lead.required = True
        lead.empty_label = _("— choose the lead unit —")
        lead.error_messages["required"] = NO_LEAD_UNIT
        self.fields["confidence"].choices = [("", _("— not assessed —")), *Confidence.choices]

        # Choices come from the framework already loaded with its items, so that the form draws
        # them without a query; the querysets only check what was sent.
        indicators = list(version.indicators.all()) if version else []
        items = list(version.items.all()) if version else []
        self.fields["indicators"].queryset = (
            Indicator.objects.filter(version=version) if version else Indicator.objects.none()
        )
        self.fields["items"].queryset = (
            Item.objects.filter(version=version).select_related("indicator") if version else Item.objects.none()
        )
        self.fields["indicators"].widget.choices = [(i.pk, f"{i.number} {i.name_th}") for i in indicators]
        self.fields["items"].widget.choices = [(i.pk, f"{i.code} {Truncator(i.text_th).chars(90)}") for i in items]
        self.item_indicators = {item.pk: item.indicator for item in items}

        if not self.is_bound:
            self.initial["revision"] = measure.revision
            if measure.pk:
                self.initial["quarters"] = measure.quarters()
            else:
                first, last = fiscal_year_bounds(self.fiscal_year)
                self.initial.setdefault("quarters", [1, 2, 3, 4])
                self.initial.setdefault("months", list(FISCAL_MONTHS))
                self.initial.setdefault("start_date", first)
                self.initial.setdefault("end_date", last)

    def item_groups(self):
        """[(indicator, [item check boxes], any ticked)]: the items under their indicators."""
        groups = {}
        for option in self["items"].subwidgets:
            indicator = self.item_indicators.get(option.data["value"])
            group = groups.setdefault(indicator, [indicator, [], False])
            group[1].append(option)
            group[2] = group[2] or option.data["selected"]
        return list(groups.values())

    def clean_steps(self):
        return plans.clean_steps(self.cleaned_data["steps"])

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("revision") is None and "revision" not in self.errors:
            raise ValidationError(_("This form lacks the version of the measure it was opened on; reload the page."))
        self.normalise_period(cleaned)
        items = cleaned.get("items")
        if items is not None and cleaned.get("indicators") is not None:
            # An item answered means its indicator is answered too.
            wanted = {i.pk for i in cleaned["indicators"]} | {item.indicator_id for item in items}
            cleaned["indicators"] = [i for i in self.fields["indicators"].queryset if i.pk in wanted]
        lead, supporting = cleaned.get("lead_unit"), cleaned.get("supporting_units")
        if lead and supporting is not None:
            cleaned["supporting_units"] = [unit for unit in supporting if unit != lead]
        return cleaned

    def normalise_period(self, cleaned):
        """Quarters or months become the months the measure runs in; a date range must lie inside
        the fiscal year, start first, and also gives the months it covers."""
        period = cleaned.get("period")
        if period == Period.QUARTERS:
            if not cleaned.get("quarters"):
                self.add_error("quarters", _("Tick at least one quarter."))
            else:
                cleaned["months"] = quarter_months(cleaned["quarters"])
            cleaned["start_date"] = cleaned["end_date"] = None
        elif period == Period.MONTHS:
            if not cleaned.get("months"):
                self.add_error("months", _("Tick at least one month."))
            else:
                cleaned["months"] = [month for month in FISCAL_MONTHS if month in cleaned["months"]]
            cleaned["start_date"] = cleaned["end_date"] = None
        elif period == Period.DATES:
            first, last = fiscal_year_bounds(self.fiscal_year)
            start, end = cleaned.get("start_date"), cleaned.get("end_date")
            outside = interpolate(
                _("Give a date within fiscal year %(year)s: %(first)s to %(last)s."),
                {"year": self.fiscal_year, "first": thai_date(first), "last": thai_date(last)},
            )
            for name, date in (("start_date", start), ("end_date", end)):
                if date is None and name not in self.errors:
                    self.add_error(name, _("Give the date."))
                elif date is not None and not first <= date <= last:
                    self.add_error(name, outside)
            start, end = cleaned.get("start_date"), cleaned.get("end_date")
            if start and end:
                if start > end:
                    self.add_error("end_date", _("The end date is before the start date."))
                else:
                    cleaned["months"] = months_between(start, end)

    def differences(self, current):
        """[(label, value saved in `current`)] for the fields where this form's valid data differs
        from the measure as someone else has just saved it."""
        rows = []
        for name in self._meta.fields:
            mine, theirs = self.cleaned_data.get(name), getattr(current, name)
            if name in ("indicators", "items", "supporting_units"):
                if {o.pk for o in mine or []} != {o.pk for o in theirs.all()}:
                    rows.append((self.fields[name].label, ", ".join(str(o) for o in theirs.all()) or "–"))
            elif (mine or "") != (theirs or ""):
                shown = (
                    getattr(current, f"get_{name}_display")()
                    if name in ("period", "report_frequency", "confidence")
                    else theirs
                )
                if name in ("start_date", "end_date"):
                    shown = thai_date(theirs)
                elif name == "months":
                    shown = " ".join(MONTHS_SHORT[m - 1] for m in theirs)
                rows.append((self.fields[name].label, shown if shown not in (None, "") else "–"))
        return rows


class CopyPlanForm(forms.Form):
    """The copy button. `seen` is how many measures the plan had when the page was shown: the copy
    happens only if that still holds, so a second click copies nothing."""

    seen = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("Copy anyway, adding to the measures already in this plan"), required=False)


class WithdrawForm(forms.Form):
    """Withdrawing a measure from the plan: the reason is kept in its history."""

    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for withdrawing the measure.")},
    )

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


class ConfirmForm(forms.Form):
    """The "Confirm" button of a measure copied from last year; `on_plan` sends the editor back to the plan."""

    on_plan = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RoundForm(forms.ModelForm):
    """A round's due date falls after its first day, and at most a year after it ends (a date
    typed in the wrong era would otherwise pass)."""

    due_date = ThaiDateField(label=_("due date"))

    class Meta:
        model = ReportingRound
        fields = ["due_date", "active"]

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        first, last = self.instance.period
        if due <= first:
            raise ValidationError(
                interpolate(
                    _("The due date must fall after the round's first day, %(date)s."), {"date": thai_date(first)}
                )
            )
        if due > last + datetime.timedelta(days=365):
            raise ValidationError(
                interpolate(
                    _("The due date must be within a year of the round's end, %(date)s."), {"date": thai_date(last)}
                )
            )
        return due


def round_forms(data, rounds):
    """A form for each of the year's rounds (ReportingRound.of_year), its fields prefixed by the
    round's kind: the page posts the same fields whether or not the rounds are saved yet, and
    no posted id can reach another agency's round."""
    return [RoundForm(data, instance=round_, prefix=round_.kind) for round_ in rounds]


class TemplateTargetForm(forms.Form):
    """The plan a template from the library is opened in: one of the user's agencies, and a year."""

    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=None, to_field_name="code", empty_label=_("— choose an agency —")
    )
    year = forms.IntegerField(label=_("Fiscal year of the plan"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


# --- The improvement plan's header ------------------------------------------------------------


TOO_LONG = {"max_length": _("Write at most %(limit_value)d characters here (this has %(show_value)d).")}


class ImprovementHeaderForm(forms.ModelForm):
    """The header block of a year's improvement plan. It opens filled with what the document
    prints (the saved value, else the one computed from the measures, `computed`); an emptied
    field goes back to the computed value. The lead unit is one of the agency's units."""

    class Meta:
        model = ImprovementHeader
        fields = improvement.HEADER_FIELDS
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 3}),
            "target": forms.Textarea(attrs={"rows": 2}),
            "risks": forms.Textarea(attrs={"rows": 4}),
            "confidence": forms.RadioSelect,
        }
        error_messages = {name: TOO_LONG for name in ("plan_name", "target", "strategy", "period", "plan_type")}
        help_texts = {
            "strategy": _("The strategy the plan supports, e.g. SO-5 and its name."),
            "period": _("As the plan prints it, e.g. ม.ค. 64 – ก.ย. 64."),
            "plan_type": _("The kind of plan, as the plan prints it."),
        }

    def __init__(self, *args, agency, computed, **kwargs):
        super().__init__(*args, **kwargs)
        self.computed = computed
        lead = self.fields["lead_unit"]
        lead.queryset = Unit.objects.filter(agency=agency).order_by("name")
        lead.label_from_instance = unit_label
        lead.empty_label = _("— as computed from the measures —")
        lead.error_messages["invalid_choice"] = _("Choose one of this agency's units.")
        confidence = self.fields["confidence"]
        confidence.choices = [("", _("— not assessed —")), *Confidence.choices]
        confidence.error_messages["invalid_choice"] = _("Choose one of the five levels of confidence.")
        if not self.is_bound:
            printed = improvement.printed_header(computed, self.instance if self.instance.pk else None)
            self.initial = {**printed, "lead_unit": printed["lead_unit"].pk if printed["lead_unit"] else None}

    def chosen(self):
        """{field: value to store}: only what differs from the computed values (`chosen_values`)."""
        return improvement.chosen_values(self.cleaned_data, self.computed)
