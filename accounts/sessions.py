"""The session engine: Django's database sessions, each row knowing its user."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from accounts.models import Session


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = data.get("_auth_user_id")
        return instance


def end_sessions_of(user):
    """Signs the user out of every browser: their sessions are deleted."""
    return Session.objects.filter(user=user).delete()[0]
