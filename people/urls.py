from django.urls import path

import ita_tracker.converters  # noqa: F401  registers agency_code
from people import views

urlpatterns = [
    path("agencies/<agency_code:code>/people/", views.people, name="people"),
    path("agencies/<agency_code:code>/people/invite/", views.invite, name="people_invite"),
    path(
        "agencies/<agency_code:code>/people/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "agencies/<agency_code:code>/people/invitations/<int:pk>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("agencies/<agency_code:code>/people/<int:user_pk>/", views.person_edit, name="person_edit"),
    path("agencies/<agency_code:code>/people/<int:user_pk>/remove/", views.person_remove, name="person_remove"),
    path("agencies/<agency_code:code>/people/<int:user_pk>/restore/", views.person_restore, name="person_restore"),
    # The link of the invitation e-mail, opened before the person has an account.
    path("accounts/invitation/<token>/", views.invitation_accept, name="invitation_accept"),
]
