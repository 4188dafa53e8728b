from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from assessments.admin_history import ReadOnlyHistoryAdmin, ViewOnlyAdmin
from assessments.frameworks import FrameworkFileError, dump_versions_yaml, load_versions, read_versions
from assessments.models import (
    Agency,
    AgencyType,
    Assessment,
    FrameworkVersion,
    Indicator,
    Item,
    Level,
    Membership,
    Score,
    SubQuestion,
    SubTopic,
    Tool,
    ToolPart,
)
from assessments.text import interpolate


class FrameworkFileForm(forms.Form):
    file = forms.FileField(label=_("Framework file (YAML)"))


class ToolInline(admin.TabularInline):
    model = Tool
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "first_year", "last_year", "level_scheme", "items_known"]
    inlines = [ToolInline, IndicatorInline, LevelInline]
    actions = ["download_yaml"]
    change_list_template = "admin/assessments/frameworkversion/change_list.html"

    def get_urls(self):
        upload = path(
            "upload/", self.admin_site.admin_view(self.upload_view), name="assessments_frameworkversion_upload"
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Add or update versions from a file shaped like the reference frameworks.yaml."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = FrameworkFileForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
                versions = load_versions(read_versions(text))
            except UnicodeDecodeError:
                problems = [_("The file is not UTF-8 text.")]
            except FrameworkFileError as exc:
                problems = exc.problems
            else:
                codes = ", ".join(v.code for v in versions)
                self.message_user(request, interpolate(_("Loaded framework versions: %(codes)s"), {"codes": codes}))
                return redirect("admin:assessments_frameworkversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "title": _("Upload a framework file"),
        }
        return render(request, "admin/assessments/frameworkversion/upload.html", context)

    @admin.action(description=_("Download selected versions as YAML"))
    def download_yaml(self, request, queryset):
        response = HttpResponse(dump_versions_yaml(queryset), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="frameworks.yaml"'
        return response


class ToolPartInline(admin.TabularInline):
    model = ToolPart
    extra = 0


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name_th"]
    list_filter = ["version"]
    inlines = [ToolPartInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["number", "name_th", "tool", "version"]
    list_filter = ["version"]


@admin.register(SubTopic)
class SubTopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "indicator", "version"]
    list_filter = ["version"]


class SubQuestionInline(admin.TabularInline):
    model = SubQuestion
    extra = 0


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "short_text", "indicator", "sub_topic", "version"]
    list_filter = ["version", "indicator__number"]
    search_fields = ["code", "text_th"]
    list_select_related = ["indicator", "sub_topic", "version"]
    inlines = [SubQuestionInline]

    @admin.display(description=_("Thai text"))
    def short_text(self, item):
        return item.text_th[:80]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(AgencyType)
class AgencyTypeAdmin(ReadOnlyHistoryAdmin):
    """The NACC's agency types; administrators rename or add one when the NACC regroups agencies.
    A type still given to an agency cannot be deleted (PROTECT)."""

    list_display = ["name_th", "name_en", "short_names", "code", "is_local_government", "order"]
    list_editable = ["order"]
    search_fields = ["code", "name_th", "name_en", "short_names"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "short_name", "agency_type", "size_class", "parent"]
    list_filter = ["agency_type", "size_class"]
    search_fields = ["code", "name_th", "short_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "agency_type"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if {"agency_type", "size_class"} & set(form.changed_data):
            # Its years' ranks within type change with its type or size class.
            Assessment.objects.filter(agency=obj).refresh_ranks()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "oversight"]
    list_filter = ["role", "oversight"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(ViewOnlyAdmin):
    """Official results, shown and never written: they come from imports, which check the figures,
    keep the summary in step and record who changed which score; the tiers are set on the
    analysis page."""

    list_filter = ["fiscal_year", "version", "level"]
    search_fields = ["agency__code", "agency__name_th"]
    list_display = ["agency", "fiscal_year", "version", "overall", "level", "level_mismatch", "mismatch_count"]
    list_select_related = ["agency", "version"]
    inlines = [ScoreInline]
