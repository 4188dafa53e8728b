from django.urls import path

import ita_tracker.converters  # noqa: F401  registers agency_code, fiscal_year, checklist_step
from oit.views import checklist, public

OIT = "agencies/<agency_code:code>/<fiscal_year:year>/oit/"

urlpatterns = [
    path(OIT, checklist.checklist, name="checklist"),
    path(f"{OIT}publish/", checklist.public_page_settings, name="public_page_settings"),
    path(f"{OIT}copy/", checklist.checklist_copy, name="checklist_copy"),
    path(f"{OIT}check-links/", checklist.checklist_check_links, name="checklist_check_links"),
    path(f"{OIT}nacc.<slug:file_format>", checklist.nacc_download, name="nacc_download"),
    path(f"{OIT}<slug:item_code>/", checklist.checklist_item, name="checklist_item"),
    path(f"{OIT}<slug:item_code>/<checklist_step:step>/", checklist.checklist_step, name="checklist_step"),
    path(f"{OIT}<slug:item_code>/evidence/<int:pk>/", checklist.checklist_evidence_file, name="checklist_evidence"),
    path(
        f"{OIT}<slug:item_code>/evidence/<int:pk>/remove/",
        checklist.checklist_evidence_remove,
        name="checklist_evidence_remove",
    ),
    # The public ITA page: its address is on agencies' websites, so it never changes.
    path("p/<agency_code:code>/<fiscal_year:year>/", public.public_page, name="public_page"),
    path("p/<agency_code:code>/<fiscal_year:year>/embed/", public.public_embed, name="public_embed"),
    path("p/<agency_code:code>/<fiscal_year:year>/files/<int:pk>/", public.public_file, name="public_file"),
    path("p/<agency_code:code>/<fiscal_year:year>/documents/<int:pk>/", public.public_document, name="public_document"),
]
