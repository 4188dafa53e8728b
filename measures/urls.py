from django.urls import path

from measures.views import entries
from measures.views import plan
from measures.views import updates

urlpatterns = [
    path("my/updates/", updates.my_updates, name="my_updates"),
    path("entries/<int:pk>/", entries.entry, name="entry"),
    path("entries/<int:pk>/history/", entries.entry_history, name="entry_history"),
    path("entries/<int:pk>/evidence/<int:evidence_pk>/", entries.evidence, name="evidence"),
    path("entries/<int:pk>/evidence/<int:evidence_pk>/delete/", entries.evidence_delete, name="evidence_delete"),
    # submit, return, approve or reopen
    path("entries/<int:pk>/<str:action>/", entries.entry_action, name="entry_action"),
    path("agencies/<str:code>/<int:year>/history/", entries.results_history, name="results_history"),
    # The measures plan
    path("agencies/<str:code>/units/", plan.units, name="units"),
    path("agencies/<str:code>/units/<int:pk>/edit/", plan.unit_edit, name="unit_edit"),
    path("agencies/<str:code>/<int:year>/plan/", plan.plan, name="plan"),
    path("agencies/<str:code>/<int:year>/plan/copy/", plan.plan_copy, name="plan_copy"),
    path("agencies/<str:code>/<int:year>/plan/new/", plan.measure_new, name="measure_new"),
    path("agencies/<str:code>/<int:year>/rounds/", plan.rounds, name="rounds"),
    path("measures/<int:pk>/", plan.measure, name="measure"),
    path("measures/<int:pk>/edit/", plan.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/history/", plan.measure_history, name="measure_history"),
    path("measure-templates/", plan.measure_templates, name="measure_templates"),
]
