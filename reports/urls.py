from django.urls import path

import ita_tracker.converters  # noqa: F401  registers agency_code, fiscal_year, round_kind, review_action
from reports import bundle_views, document_views, snapshot_views, views

urlpatterns = [
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/report.<slug:file_format>",
        views.analysis_report,
        name="analysis_report",
    ),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/progress/<round_kind:round_kind>/report.<slug:file_format>",
        views.progress_report,
        name="progress_report",
    ),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/report.<slug:file_format>",
        views.plan_report,
        name="plan_report",
    ),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/improvement/report.<slug:file_format>",
        views.improvement_report,
        name="improvement_report",
    ),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/combined/report.<slug:file_format>",
        views.combined_report,
        name="combined_report",
    ),
    path("agencies/<agency_code:code>/profile/", document_views.agency_profile, name="agency_profile"),
    path("agencies/<agency_code:code>/profile/logo.png", document_views.agency_logo, name="agency_logo"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/documents/", document_views.documents, name="documents"),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/sign-off/",
        document_views.document_sign_off,
        name="document_sign_off",
    ),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/acknowledge/",
        document_views.acknowledge,
        name="acknowledge_document",
    ),
    path(
        "agencies/<agency_code:code>/<fiscal_year:year>/oit/<slug:item_code>/publish-document/",
        snapshot_views.publish_document,
        name="publish_document",
    ),
    path("bundles/", bundle_views.bundles, name="bundles"),
    path("bundles/<int:pk>/status", bundle_views.bundle_status, name="bundle_status"),
    path("bundles/<int:pk>/download", bundle_views.bundle_download, name="bundle_download"),
]
