from django.contrib import admin

from assessments.admin_history import ReadOnlyHistoryAdmin
from measures.models import Measure, MeasureTemplate, ProgressEntry, ReportingRound, ReviewEvent, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "abbreviation", "agency", "parent"]
    list_filter = ["agency"]
    search_fields = ["name", "abbreviation"]
    filter_horizontal = ["members"]
    list_select_related = ["agency", "parent"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "agency", "fiscal_year", "lead_unit"]
    list_filter = ["fiscal_year", "agency"]
    search_fields = ["name"]
    list_select_related = ["agency", "lead_unit"]
    filter_horizontal = ["indicators", "items", "supporting_units"]


@admin.register(ReportingRound)
class ReportingRoundAdmin(ReadOnlyHistoryAdmin):
    list_display = ["agency", "fiscal_year", "kind", "due_date", "active"]
    list_filter = ["fiscal_year", "kind", "active"]
    list_select_related = ["agency"]


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "user", "comment", "created"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ReadOnlyHistoryAdmin):
    list_display = ["measure", "round", "unit", "percent", "status", "state"]
    list_filter = ["state", "status", "round__fiscal_year"]
    list_select_related = ["measure", "round", "unit"]
    inlines = [ReviewEventInline]


@admin.register(MeasureTemplate)
class MeasureTemplateAdmin(admin.ModelAdmin):
    list_display = ["indicator_number", "item_code", "name", "source"]
    list_filter = ["indicator_number"]
    search_fields = ["name", "item_code"]
