from django.urls import path

import ita_tracker.converters  # noqa: F401  registers agency_code, fiscal_year, round_kind, review_action
from measures.views import entries, plan, review, updates

urlpatterns = [
    path("my/updates/", updates.my_updates, name="my_updates"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/approve/", review.review_approve, name="review_approve"),
    path("entries/<int:pk>/", entries.entry, name="entry"),
    path("entries/<int:pk>/history/", entries.entry_history, name="entry_history"),
    path("entries/<int:pk>/evidence/<int:evidence_pk>/", entries.evidence, name="evidence"),
    path("entries/<int:pk>/evidence/<int:evidence_pk>/delete/", entries.evidence_delete, name="evidence_delete"),
    # submit, return, approve or reopen
    path("entries/<int:pk>/<review_action:action>/", entries.entry_action, name="entry_action"),
    # The measures plan
    path("agencies/<agency_code:code>/units/", plan.units, name="units"),
    path("agencies/<agency_code:code>/units/<int:pk>/edit/", plan.unit_edit, name="unit_edit"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/plan/", plan.plan, name="plan"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/plan/copy/", plan.plan_copy, name="plan_copy"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/plan/new/", plan.measure_new, name="measure_new"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/rounds/", plan.rounds, name="rounds"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/improvement/", plan.improvement, name="improvement"),
    path("measures/<int:pk>/", plan.measure, name="measure"),
    path("measures/<int:pk>/edit/", plan.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/history/", plan.measure_history, name="measure_history"),
    path("measures/<int:pk>/withdraw/", plan.measure_withdraw, name="measure_withdraw"),
    path("measures/<int:pk>/restore/", plan.measure_restore, name="measure_restore"),
    path("measures/<int:pk>/confirm/", plan.measure_confirm, name="measure_confirm"),
    path("measure-templates/", plan.measure_templates, name="measure_templates"),
]
