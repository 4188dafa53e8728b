from django.urls import path

from accounts.views import access_log

urlpatterns = [
    path("access-log/", access_log.access_log, name="access_log"),
    path("access-log/download.<slug:file_format>", access_log.access_log_download, name="access_log_download"),
]
