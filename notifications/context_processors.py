from functools import cached_property

from notifications.models import Notification


class Bell:
    """The header's bell: `count` is the user's unread notifications, read (one query) only by a
    page that shows the bell, and once."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self):
        return Notification.objects.for_user(self.user).unread().count()


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
