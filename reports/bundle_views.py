"""Year-end bundles: ask for one, watch it being built (the page may be reloaded or left), download it."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.audit import Kind, record
from assessments import access
from assessments.choosers import agency_choice, offer
from assessments.models import Agency, Assessment
from measures.models import Measure
from reports.actions import do_request_bundle
from reports.models import Bundle, BundleStatus

SHOWN = 20  # the user's latest bundles on the page


class BundleForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Agency.objects.none(),
        to_field_name="code",
        label=gettext_lazy("Organisation"),
        help_text=gettext_lazy("The bundle holds this agency and the agencies under it that you oversee."),
        error_messages={
            "required": gettext_lazy("Choose the organisation: from the list, or search for it by its code or name."),
            "invalid_choice": gettext_lazy(
                "%(value)s is not an organisation whose bundle you may ask for. Choose one from the list, or "
                "search for it by its code or name."
            ),
        },
    )
    fiscal_year = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Fiscal year"))

    def __init__(self, organisations, *args, search="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        chosen = self.data.get("organisation", "") if self.is_bound else ""
        self.choice = agency_choice(organisations, search, chosen)
        offer(self.fields["organisation"], self.choice)


def _years(user):
    """Fiscal years with results or measures in the agencies the user reads, latest first."""
    agencies = Agency.objects.visible_to(user)
    years = set(Assessment.objects.filter(agency__in=agencies).values_list("fiscal_year", flat=True).distinct())
    years |= set(Measure.objects.filter(agency__in=agencies).values_list("fiscal_year", flat=True).distinct())
    return sorted(years, reverse=True)


def _form(user, data=None, search=""):
    form = BundleForm(access.bundle_organisations(user), data, search=search)
    form.fields["fiscal_year"].choices = [(year, year) for year in _years(user)]
    return form


@require_http_methods(["GET", "POST"])
def bundles(request):
    """The user's bundles with their progress, and the form that asks for another."""
    access.require(access.edits_any_agency(request.user))
    # The search for an organisation, when the user may choose among too many for a drop-down;
    # the form posts it back, so a refused request shows the same matches.
    search = (request.POST if request.method == "POST" else request.GET).get("search", "")
    form = _form(request.user, request.POST if request.method == "POST" else None, search)
    if request.method == "POST" and form.is_valid():
        return _request_bundle(request, form.cleaned_data["organisation"], form.cleaned_data["fiscal_year"])
    shown = Bundle.objects.visible_to(request.user).select_related("organisation")[:SHOWN]
    return render(request, "reports/bundles.html", {"form": form, "bundles": shown})


def _request_bundle(request, organisation, year):
    bundle = do_request_bundle(user=request.user, organisation=organisation, fiscal_year=year)
    if bundle is None:
        messages.info(request, _("This bundle is already being built; it appears below when it is ready."))
    else:
        record(request, Kind.BUNDLE_REQUESTED, agency=organisation, what=bundle.filename)
        messages.success(
            request, _("The bundle is being built in the background. You may leave this page and come back later.")
        )
    return redirect("bundles")


def _own_bundle(request, pk):
    """The user's bundle, if they may still have it (see `access.bundles_visible`); else 404."""
    bundle, _rights = access.bundle_for(request.user, Bundle.objects.select_related("organisation"), pk)
    return bundle


@require_http_methods(["GET"])
def bundle_status(request, pk):
    """The progress of a bundle, which the page asks for every few seconds while it is built."""
    bundle = _own_bundle(request, pk)
    return JsonResponse(
        {
            "status": bundle.shown_status,
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
    try:
        handle = bundle.file.open("rb")
    except FileNotFoundError:  # a database restored without its media folder, a file removed by hand
        return render(request, "reports/bundle_missing.html", {"bundle": bundle}, status=404)
    record(request, Kind.BUNDLE_DOWNLOAD, agency=bundle.organisation, what=bundle.filename)
    return FileResponse(handle, as_attachment=True, filename=bundle.filename)
