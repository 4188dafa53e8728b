"""The measures plan of an agency's year: its units, measures, reporting rounds and template library."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.db.models import OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import access
from assessments.choosers import agency_choice, offer
from assessments.models import Agency, FrameworkVersion, Indicator, Item
from assessments.thai import fiscal_year_of
from ita_tracker.database import BUSY_MESSAGE, is_transient
from measures.actions import (
    do_copy_plan,
    do_restore_measure,
    do_save_improvement_header,
    do_save_measure,
    do_save_rounds,
    do_withdraw_measure,
    leaderless,
)
from measures.forms import (
    ConfirmForm,
    CopyPlanForm,
    ImprovementHeaderForm,
    MeasureForm,
    TemplateTargetForm,
    UnitForm,
    WithdrawForm,
    round_forms,
)
from measures.history import measure_trail
from measures.improvement import computed_header, printed_header
from measures.models import (
    Confidence,
    ImprovementHeader,
    Measure,
    MeasureTemplate,
    ProgressEntry,
    ReportingRound,
    Unit,
    offered_reports,
    reported_percent,
    unit_memberships,
)
from measures.plans import answered_results, check_fiscal_year, plan_groups, prefill, unit_label

# --- Units ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def units(request, code):
    """The agency's responsible units with their parents and members; editors add units here."""
    agency, rights = access.plan_for(request.user, code)
    can_edit = rights.can_edit
    form = UnitForm(agency=agency) if can_edit else None
    if request.method == "POST":
        access.require(can_edit)
        form = UnitForm(request.POST, agency=agency)
        if form.is_valid():
            unit = form.save()
            messages.success(request, _("The unit “%(name)s” was added.") % {"name": unit.name})
            return redirect("units", agency.code)
    # Members as they count (unit_memberships): someone removed from the agency is not listed.
    counted = unit_memberships().filter(unit__agency=agency).values("user")
    members = get_user_model().objects.filter(pk__in=counted)
    listed = agency.units.select_related("parent").prefetch_related(Prefetch("members", members)).order_by("name")
    return render(
        request, "measures/units.html", {"agency": agency, "units": listed, "form": form, "can_edit": can_edit}
    )


@require_http_methods(["GET", "POST"])
def unit_edit(request, code, pk):
    """Change a unit's name, abbreviation, parent or members (editors)."""
    agency, rights = access.plan_for(request.user, code)
    unit = get_object_or_404(Unit, agency=agency, pk=pk)
    access.require(rights.can_edit)
    form = UnitForm(request.POST or None, instance=unit, agency=agency)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The unit “%(name)s” was saved.") % {"name": unit.name})
        return redirect("units", agency.code)
    return render(request, "measures/unit_form.html", {"agency": agency, "unit": unit, "form": form})


# --- The plan -------------------------------------------------------------------------------


def plan_measures(user, agency, year):
    """The year's current measures the user may see, with everything the plan table shows: the
    plan document's query (`plan_table`), the items each measure answers, and where it stands
    (`with_completion`, the dashboard's figures)."""
    return (
        Measure.objects.visible_to(user)
        .for_plan(agency, year)
        .plan_table()
        .with_completion()
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("order")))
    )


@require_GET
def plan(request, code, year):
    """The plan of fiscal year `year` as the Ang Thong document lays it out, grouped by indicator."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    can_edit = rights.can_edit
    measures = list(plan_measures(request.user, agency, year))
    to_review_count = sum(1 for m in measures if m.to_review)
    review_only = request.GET.get("review") == "1" and to_review_count > 0
    shown = [m for m in measures if m.to_review] if review_only else measures
    answered = answered_results(agency, year)
    withdrawn = (
        Measure.objects.visible_to(request.user)
        .withdrawn_ones()
        .filter(agency=agency, fiscal_year=year)
        .select_related("withdrawn_by")
        .order_by("-withdrawn", "pk")
    )
    context = {
        "agency": agency,
        "year": year,
        "groups": plan_groups(shown, answered),
        "count": len(measures),
        "to_review_count": to_review_count,
        "review_only": review_only,
        "withdrawn": list(withdrawn),
        "answered": answered,
        "can_edit": can_edit,
        "rounds": ReportingRound.objects.filter(agency=agency, fiscal_year=year, active=True),
        "last_year_count": Measure.objects.for_plan(agency, year - 1).count() if can_edit else 0,
        "copy_form": CopyPlanForm(initial={"seen": len(measures)}),
        "waiting": sum(waiting_for_review(rights, agency, year).values()),
    }
    return render(request, "measures/plan.html", context)


def waiting_for_review(rights, agency, year):
    """{round kind: reports of the year waiting for review}, for those who review them (one
    query); {} for everyone else (no query)."""
    if not access.can_review(rights.standing):
        return {}
    return (
        ProgressEntry.objects.awaiting_review()
        .filter(measure__agency=agency, round__fiscal_year=year)
        .count_by_round_kind()
    )


ALREADY_COPIED = _("The plan of %(year)s has already been copied into this plan; nothing was copied again.")
PLAN_CHANGED = _(
    "The plan changed after you opened it, so nothing was copied. "
    "Check the plan below and copy again if it is still needed."
)


@require_POST
def plan_copy(request, code, year):
    """Copy last year's measures into this plan. A plan that already has measures is only added
    to when the editor confirms it, and only once: the form says how many measures the editor
    saw, and nothing is copied if the plan has changed since (a second click, say)."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    access.require(rights.can_edit)
    form = CopyPlanForm(request.POST)
    if not form.is_valid():  # `seen` missing: a page from before the form carried it
        messages.error(request, PLAN_CHANGED)
        return redirect("plan", agency.code, year)
    seen = form.cleaned_data["seen"]
    if not Measure.objects.for_plan(agency, year - 1).exists():
        messages.error(request, _("The plan of %(year)s has no measures to copy.") % {"year": year - 1})
    elif seen and not form.cleaned_data["confirm"]:
        messages.error(
            request,
            ngettext(
                "This plan already has %(count)d measure. "
                "Nothing was copied: tick “copy anyway” to add last year's measures to it.",
                "This plan already has %(count)d measures. "
                "Nothing was copied: tick “copy anyway” to add last year's measures to it.",
                seen,
            )
            % {"count": seen},
        )
    else:
        copies = do_copy_plan(agency=agency, from_year=year - 1, to_year=year, seen=seen)
        if copies is None:
            copied = Measure.objects.for_plan(agency, year).filter(copied_from__fiscal_year=year - 1).exists()
            messages.error(request, (ALREADY_COPIED % {"year": year - 1}) if copied else PLAN_CHANGED)
        else:
            if copies:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d measure was copied from the plan of %(year)s; adapt it to this year.",
                        "%(count)d measures were copied from the plan of %(year)s; adapt them to this year.",
                        len(copies),
                    )
                    % {"count": len(copies), "year": year - 1},
                )
            left_out = leaderless(agency, year - 1)
            if left_out:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d measure of %(year)s has no lead unit and was not copied: %(names)s. "
                        "Add it to this plan with its lead unit.",
                        "%(count)d measures of %(year)s have no lead unit and were not copied: %(names)s. "
                        "Add them to this plan with their lead units.",
                        len(left_out),
                    )
                    % {"count": len(left_out), "year": year - 1, "names": "; ".join(left_out)},
                )
    return redirect("plan", agency.code, year)


# --- Measures -------------------------------------------------------------------------------


def measure_for(request, pk):
    """(measure, rights) for a measure the user may see; 404 otherwise."""
    return access.measure_for(request.user, Measure.objects.select_related("agency", "lead_unit"), pk)


@require_http_methods(["GET", "POST"])
def measure_new(request, code, year):
    """A new measure for the plan, pre-filled from a weak item of the analysis or from a template."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    access.require(rights.can_edit)
    answered = answered_results(agency, year)
    measure = Measure(agency=agency, fiscal_year=year)
    template = None
    if request.method == "POST":
        form = MeasureForm(request.POST, instance=measure, version=answered.version)
        if form.is_valid():
            try:
                measure = do_save_measure(form=form)
            except DatabaseError as exc:
                if not is_transient(exc):
                    raise
                fresh = Measure(agency=agency, fiscal_year=year)
                return busy_form(
                    request, MeasureForm(request.POST, instance=fresh, version=answered.version), agency, year, answered
                )
            messages.success(request, _("The measure was added to the plan."))
            return redirect("measure", measure.pk)
    else:
        initial, template = prefill(answered, year, request.GET)
        form = MeasureForm(instance=measure, version=answered.version, initial=initial)
    return render_form(request, form, agency, year, answered, template=template)


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    """Change a measure. A save made from an outdated form is refused and the user's text kept."""
    measure, rights = measure_for(request, pk)
    access.require(rights.can_edit)
    answered = answered_results(measure.agency, measure.fiscal_year)
    form = MeasureForm(request.POST or None, instance=measure, version=answered.version)
    if request.method == "POST" and form.is_valid():
        try:
            saved = do_save_measure(form=form)
        except DatabaseError as exc:
            if not is_transient(exc):
                raise
            current, _rights = measure_for(request, pk)
            form = MeasureForm(request.POST, instance=current, version=answered.version)
            return busy_form(request, form, measure.agency, measure.fiscal_year, answered, measure=current)
        if saved is None:
            # Someone saved first: show what they saved where it differs from this user's text,
            # which stays in the form, now based on their version so that saving again is a choice.
            current, _rights = measure_for(request, pk)
            data = request.POST.copy()
            data["revision"] = current.revision
            conflicts = form.differences(current)
            form = MeasureForm(data, instance=current, version=answered.version)
            return render_form(
                request,
                form,
                measure.agency,
                measure.fiscal_year,
                answered,
                measure=current,
                conflicts=conflicts,
                status=409,
            )
        messages.success(request, _("The measure was saved."))
        return redirect("measure", measure.pk)
    return render_form(request, form, measure.agency, measure.fiscal_year, answered, measure=measure)


def busy_form(request, form, agency, year, answered, *, measure=None):
    """The form again with what the user typed, when the database could not take the save in time.
    `form` is bound to a fresh instance: the failed save may have given the old one a pk or revision."""
    messages.error(request, BUSY_MESSAGE)
    return render_form(request, form, agency, year, answered, measure=measure, status=503)


def render_form(request, form, agency, year, answered, *, measure=None, template=None, conflicts=None, status=200):
    context = {
        "agency": agency,
        "year": year,
        "form": form,
        "measure": measure,
        "answered": answered,
        "template": template,
        "templates": [] if measure else MeasureTemplate.objects.only("pk", "indicator_number", "item_code", "name"),
        "conflicts": conflicts,
    }
    return render(request, "measures/measure_form.html", context, status=status)


@require_GET
def measure(request, pk):
    """Everything about one measure: its fields, the items it answers with their scores, and its
    progress entries per round and unit (unit staff see only their own units' entries)."""
    measure, rights = measure_for(request, pk)
    return measure_page(request, measure, rights)


def measure_page(request, measure, rights, *, withdraw_form=None, status=200):
    answered = answered_results(measure.agency, measure.fiscal_year)
    entries = list(
        ProgressEntry.objects.visible_to(request.user).filter(measure=measure).select_related("round", "unit")
    )
    rounds = sorted({e.round for e in entries}, key=lambda r: (r.due_date, r.kind))
    units = sorted({e.unit for e in entries}, key=lambda u: (u != measure.lead_unit, u.name))
    cells = {(e.round_id, e.unit_id): e for e in entries}
    # Each round's percent of the whole measure, by the progress rule (`reported_percent`).
    overall = dict(
        ReportingRound.objects.filter(pk__in=[r.pk for r in rounds])
        .annotate(percent=reported_percent(ProgressEntry.objects.filter(measure=measure, round=OuterRef("pk"))))
        .values_list("pk", "percent")
    )
    grid = [(round_, [cells.get((round_.pk, unit.pk)) for unit in units], overall.get(round_.pk)) for round_ in rounds]
    items = measure.items.select_related("indicator").order_by("order")
    context = {
        "measure": measure,
        "agency": measure.agency,
        "can_edit": rights.can_edit,
        "answered": answered,
        "indicators": [(i, answered.indicator_score(i.number)) for i in measure.indicators.order_by("number")],
        "items": [(item, answered.item_scores(item)) for item in items],
        "supporting": measure.supporting_units.order_by("name"),
        "units": units,
        "grid": grid,
        "withdraw_form": withdraw_form or (WithdrawForm() if rights.can_edit and not measure.withdrawn else None),
    }
    return render(request, "measures/measure.html", context, status=status)


@require_POST
def measure_withdraw(request, pk):
    """Withdraw a measure from the plan, with the reason (editors). It stays, with its reports
    and history, listed apart on the plan page and left out of counts and documents."""
    measure, rights = measure_for(request, pk)
    access.require(rights.can_edit)
    if measure.withdrawn:
        messages.info(request, _("This measure was already withdrawn."))
        return redirect("measure", measure.pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return measure_page(request, measure, rights, withdraw_form=form, status=400)
    do_withdraw_measure(measure=measure, user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The measure was withdrawn from the plan; it stays in its history."))
    return redirect("plan", measure.agency.code, measure.fiscal_year)


@require_POST
def measure_restore(request, pk):
    """Put a withdrawn measure back into the plan (editors)."""
    measure, rights = measure_for(request, pk)
    access.require(rights.can_edit)
    if measure.withdrawn:
        do_restore_measure(measure=measure)
        messages.success(request, _("The measure is back in the plan."))
    return redirect("measure", measure.pk)


@require_POST
def measure_confirm(request, pk):
    """An editor keeps a measure copied from last year as it is: it is no longer to review."""
    measure, rights = measure_for(request, pk)
    access.require(rights.can_edit)
    form = ConfirmForm(request.POST)
    on_plan = form.is_valid() and form.cleaned_data["on_plan"]
    if measure.to_review:
        measure.confirm()
        messages.success(request, _("The measure was confirmed for this year's plan."))
    if on_plan:
        return redirect(reverse("plan", args=[measure.agency.code, measure.fiscal_year]) + f"#measure-{measure.pk}")
    return redirect("measure", measure.pk)


@require_GET
def measure_history(request, pk):
    """Who changed the measure, when, and each field from what to what; read only."""
    measure, _rights = measure_for(request, pk)
    return render(request, "measures/measure_history.html", {"measure": measure, "changes": measure_trail(measure)})


# --- Reporting rounds -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rounds(request, code, year):
    """The year's six reporting rounds: due dates, and whether units report in each. A year
    nobody has saved yet shows the defaults, which the first save writes."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    can_edit = rights.can_edit
    if request.method == "POST":
        access.require(can_edit)
    year_rounds = ReportingRound.of_year(agency, year)
    offered = offered_reports(year_rounds)  # as saved: a form that fails keeps the rounds it was given
    forms = round_forms(request.POST if request.method == "POST" else None, year_rounds)
    if request.method == "POST" and all([form.is_valid() for form in forms]):
        values = {form.instance.kind: form.cleaned_data for form in forms}
        do_save_rounds(agency=agency, fiscal_year=year, values=values)
        messages.success(request, _("The reporting rounds were saved; every measure's reports follow them."))
        return redirect("rounds", agency.code, year)
    context = {
        "agency": agency,
        "year": year,
        "forms": forms,
        "has_errors": any(form.errors for form in forms),
        "can_edit": can_edit,
        "can_review": access.can_review(rights.standing),
        "waiting": waiting_for_review(rights, agency, year),
        "offered": offered,
    }
    return render(request, "measures/rounds.html", context)


# --- The improvement plan's header -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def improvement(request, code, year):
    """The header block of the year's improvement plan: editors of the plan change it; everyone
    who sees the plan reads what the document prints. The values computed from the measures the
    user sees are the defaults, and saving stores only what differs from them."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    if request.method == "POST":
        access.require(rights.can_edit)
    measures = list(Measure.objects.visible_to(request.user).for_plan(agency, year).plan_table())
    computed = computed_header(year, measures, answered_results(agency, year))
    saved = ImprovementHeader.objects.filter(agency=agency, fiscal_year=year).select_related("lead_unit").first()
    instance = saved or ImprovementHeader(agency=agency, fiscal_year=year)
    data = request.POST if request.method == "POST" else None
    form = ImprovementHeaderForm(data, instance=instance, agency=agency, computed=computed)
    status = 200
    if data is not None and form.is_valid():
        try:
            do_save_improvement_header(agency=agency, fiscal_year=year, values=form.chosen(), user=request.user)
        except DatabaseError as exc:
            if not is_transient(exc):
                raise
            messages.error(request, BUSY_MESSAGE)
            status = 503
        else:
            messages.success(request, _("The header of the improvement plan was saved; its documents print it."))
            return redirect("improvement", agency.code, year)
    context = {
        "agency": agency,
        "year": year,
        "form": form,
        "can_edit": rights.can_edit,
        "count": len(measures),
        "printed": improvement_rows(form, printed_header(computed, saved)),
    }
    return render(request, "measures/improvement.html", context, status=status)


def improvement_rows(form, printed):
    """[(label, value)] as the document prints the header, for those who read it without editing it."""
    rows = []
    for name in form.Meta.fields:
        value = printed[name]
        if name == "lead_unit":
            value = unit_label(value) if value else ""
        elif name == "confidence":
            value = Confidence(value).label if value else ""
        rows.append((form.fields[name].label, value))
    return rows


# --- Template library -------------------------------------------------------------------------


@require_GET
def measure_templates(request):
    """Starting points for measures, per indicator and item; editors open one as a new measure of a plan."""
    editable = Agency.objects.editable_by(request.user).order_by("name_th")
    # A drop-down of the user's agencies, or a search when they are too many (a system administrator).
    choice = agency_choice(editable, request.GET.get("search", ""), request.GET.get("agency", ""))
    only = choice.few[0] if choice.few is not None and len(choice.few) == 1 else None
    data = request.GET if "agency" in request.GET else None
    form = TemplateTargetForm(
        data,
        agencies=editable,
        initial={"agency": only.code if only else None, "year": fiscal_year_of(timezone.localdate())},
    )
    offer(form.fields["agency"], choice)
    form.choice = choice
    target = (form.cleaned_data["agency"], form.cleaned_data["year"]) if data and form.is_valid() else None
    if target is None and not data and only:
        target = (only, form.initial["year"])
    latest = FrameworkVersion.objects.order_by("-first_year").values("pk")[:1]
    names = {i.number: i.name_th for i in Indicator.objects.filter(version__in=latest)}
    groups = {}
    for template in MeasureTemplate.objects.all():
        groups.setdefault(template.indicator_number, []).append(template)
    context = {
        "groups": [(number, names.get(number, ""), groups[number]) for number in sorted(groups)],
        "form": form if choice.by_search or choice.few else None,
        "target": target,
    }
    return render(request, "measures/templates.html", context)
