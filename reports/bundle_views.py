"""Year-end bundles: ask for one, watch it being built (the page may be reloaded or left), download it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from assessments.models import Agency, Assessment
from measures.models import Measure
from reports.bundles import bundle_agencies, organisations_for
from reports.models import Bundle, BundleStatus
from reports.tasks import build_bundle

SHOWN = 20  # the user's latest bundles on the page


class BundleForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Agency.objects.none(), to_field_name="code", label=gettext_lazy("Organisation"),
        help_text=gettext_lazy("The bundle holds this agency and the agencies under it that you oversee."),
    )
    fiscal_year = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Fiscal year"))

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


def _years(user):
    """Fiscal years with results or measures in the agencies the user reads, latest first."""
    agencies = Agency.objects.visible_to(user)
    years = set(Assessment.objects.filter(agency__in=agencies).values_list("fiscal_year", flat=True).distinct())
    years |= set(Measure.objects.filter(agency__in=agencies).values_list("fiscal_year", flat=True).distinct())
    return sorted(years, reverse=True)


def _form(user, data=None):
    form = BundleForm(organisations_for(user), data)
    form.fields["fiscal_year"].choices = [(year, year) for year in _years(user)]
    return form


@require_http_methods(["GET", "POST"])
def bundles(request):
    """The user's bundles with their progress, and the form that asks for another."""
    organisations = organisations_for(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = _form(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _request_bundle(request, form.cleaned_data["organisation"], form.cleaned_data["fiscal_year"])
    shown = Bundle.objects.filter(requested_by=request.user).select_related("organisation")[:SHOWN]
    return render(request, "reports/bundles.html", {"form": form, "bundles": shown})


def _request_bundle(request, organisation, year):
    mine = Bundle.objects.filter(requested_by=request.user, organisation=organisation, fiscal_year=year)
    if mine.filter(status__in=(BundleStatus.QUEUED, BundleStatus.RUNNING)).exists():
        messages.info(request, _("This bundle is already being built; it appears below when it is ready."))
        return redirect("bundles")
    with transaction.atomic():
        for old in mine:  # a new bundle replaces the user's older one of the same organisation and year
            old.delete()
        bundle = Bundle.objects.create(organisation=organisation, fiscal_year=year, requested_by=request.user)
        bundle.agencies.set(bundle_agencies(organisation, request.user))
        bundle.task_id = str(build_bundle.enqueue(bundle.pk).id)
        bundle.save(update_fields=["task_id"])
    messages.success(
        request, _("The bundle is being built in the background. You may leave this page and come back later.")
    )
    return redirect("bundles")


def _own_bundle(request, pk):
    return get_object_or_404(Bundle.objects.select_related("organisation"), pk=pk, requested_by=request.user)


@require_http_methods(["GET"])
def bundle_status(request, pk):
    """The progress of a bundle, which the page asks for every few seconds while it is built."""
    bundle = _own_bundle(request, pk)
    return JsonResponse(
        {
            "status": bundle.status,
            "finished": bundle.finished,
            "done": bundle.done,
            "total": bundle.total,
            "percent": bundle.percent,
            "label": bundle.progress_label,
        }
    )


@require_http_methods(["GET"])
def bundle_download(request, pk):
    bundle = _own_bundle(request, pk)
    if bundle.status != BundleStatus.DONE or not bundle.file:
        raise Http404
    return FileResponse(bundle.file.open("rb"), as_attachment=True, filename=bundle.filename)
