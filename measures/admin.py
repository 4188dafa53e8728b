"""The admin of the measures app. It writes measures and rounds only through the actions the plan
pages use, and shows progress entries and their review steps without writing them."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from assessments.admin_history import ReadOnlyHistoryAdmin, ViewOnlyAdmin
from measures.actions import do_save_measure, do_save_rounds
from measures.counts import refresh_progress
from measures.forms import MEASURE_FIELDS, MeasureForm, RoundForm, UnitForm
from measures.models import Measure, MeasureTemplate, ProgressEntry, ReportingRound, ReviewEvent, Unit
from measures.plans import answered_results

CHANGED_MEANWHILE = _("Someone else saved this measure while you were editing. Nothing of yours was saved.")


class AdminUnitForm(forms.ModelForm):
    """The units page's rules in the admin: the parent is a unit of the same agency, never the unit
    itself or one below it, and the members are people with a role in the agency."""

    def clean(self):
        cleaned = super().clean()
        agency = self.instance.agency if self.instance.pk else cleaned.get("agency")
        if agency is None:
            return cleaned
        allowed = UnitForm(instance=self.instance, agency=agency).fields
        parent, members = cleaned.get("parent"), cleaned.get("members")
        if parent and not allowed["parent"].queryset.filter(pk=parent.pk).exists():
            self.add_error(
                "parent", ValidationError(allowed["parent"].error_messages["invalid_choice"], code="invalid_choice")
            )
        outsiders = members.exclude(pk__in=allowed["members"].queryset.values("pk")) if members is not None else []
        for person in outsiders:
            self.add_error(
                "members",
                ValidationError(
                    allowed["members"].error_messages["invalid_choice"], code="invalid_choice", params={"value": person}
                ),
            )
        return cleaned


@admin.register(Unit)
class UnitAdmin(ReadOnlyHistoryAdmin):
    """Units are the admin's to keep, under the units page's rules (AdminUnitForm). A unit keeps its
    agency once saved: its measures and their reports belong to that agency."""

    form = AdminUnitForm
    list_display = ["name", "abbreviation", "agency", "parent"]
    # The agency is searched and picked by its code or name, never listed: there are thousands.
    search_fields = ["name", "abbreviation", "agency__code", "agency__name_th"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["members"]
    list_select_related = ["agency", "parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency"] if obj else []


class MeasureChanged(Exception):
    """Someone saved the measure after the admin's change page was drawn."""


class AdminMeasureForm(MeasureForm):
    """The plan page's measure form, its choices those of the measure's own plan: the framework
    of the results it answers and its agency's units. The admin may also move the measure within
    its plan, the one thing no page changes."""

    class Meta(MeasureForm.Meta):
        fields = [*MeasureForm.Meta.fields, "order"]

    def __init__(self, *args, instance: Measure, **kwargs) -> None:
        version = answered_results(instance.agency, instance.fiscal_year).version
        super().__init__(*args, instance=instance, version=version, **kwargs)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyHistoryAdmin):
    """A measure is changed here as on its edit page (do_save_measure): the form checks the same
    things, the revision moves on, so that a form opened before is refused, the units' entries
    follow, and the history names the administrator. Measures are added on their plan's page,
    where the agency and year fix the form's choices; one is deleted here only while no entry
    hangs on it (see ViewOnlyAdmin)."""

    list_display = ["name", "agency", "fiscal_year", "lead_unit"]
    # The agency is searched by its code or name, not listed beside the table: there are thousands.
    list_filter = ["fiscal_year"]
    search_fields = ["name", "agency__code", "agency__name_th"]
    list_select_related = ["agency", "lead_unit"]
    fields = ["agency", "fiscal_year", "copied_from", "order", *MEASURE_FIELDS, "quarters", "revision"]
    readonly_fields = ["agency", "fiscal_year", "copied_from"]

    def has_add_permission(self, request):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        return AdminMeasureForm

    def save_model(self, request, obj, form, change):
        if do_save_measure(form=form) is None:
            raise MeasureChanged

    def save_related(self, request, form, formsets, change):
        """Nothing more: do_save_measure saved the indicators, items and units with the measure."""

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            refresh_progress([obj.agency_id])  # the plan's stored counts lose the measure

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            agencies = set(queryset.values_list("agency", flat=True))
            super().delete_queryset(request, queryset)
            refresh_progress(agencies)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MeasureChanged:
            # Raised inside the admin's transaction, which is rolled back; the page is drawn again
            # from the version saved meanwhile.
            self.message_user(request, CHANGED_MEANWHILE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ReportingRound)
class ReportingRoundAdmin(ReadOnlyHistoryAdmin):
    """A round's due date and whether units report in it, checked and saved as the rounds page does
    (do_save_rounds), so that the plan's entries follow. The app makes each year's six rounds;
    none is added or deleted here."""

    list_display = ["agency", "fiscal_year", "kind", "due_date", "active"]
    list_filter = ["fiscal_year", "kind", "active"]
    list_select_related = ["agency"]
    form = RoundForm
    fields = ["agency", "fiscal_year", "kind", "due_date", "active"]
    readonly_fields = ["agency", "fiscal_year", "kind"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        do_save_rounds(agency=obj.agency, fiscal_year=obj.fiscal_year, values={obj.kind: form.cleaned_data})


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "user", "comment", "created"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ViewOnlyAdmin):
    """Shown, never written: a unit reports on the entry's page and the review takes its steps
    there (do_save_entry, do_review_step), each step recorded."""

    list_display = ["measure", "round", "unit", "percent", "status", "state"]
    list_filter = ["state", "status", "round__fiscal_year"]
    list_select_related = ["measure", "round", "unit"]
    inlines = [ReviewEventInline]


@admin.register(MeasureTemplate)
class MeasureTemplateAdmin(admin.ModelAdmin):
    list_display = ["indicator_number", "item_code", "name", "source"]
    list_filter = ["indicator_number"]
    search_fields = ["name", "item_code"]
