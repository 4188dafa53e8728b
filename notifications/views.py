"""The notifications page, and marking notifications read. Each person sees only their own, and
only those whose entry they may still see (`NotificationQuerySet.for_user`)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from notifications.models import Notification

PER_PAGE = 30


@require_GET
def notifications(request):
    mine = Notification.objects.for_user(request.user).for_display()
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def notifications_read(request):
    """Mark one notification read (`notification`: its id), or all of them."""
    mine = Notification.objects.for_user(request.user)
    chosen = request.POST.get("notification")
    if chosen is not None:
        if not chosen.isdigit() or not mine.filter(pk=chosen).exists():
            raise Http404
        mine = mine.filter(pk=chosen)
    mine.mark_read()
    page = request.POST.get("page", "")
    return redirect(reverse("notifications") + (f"?page={page}" if page.isdigit() else ""))


@require_POST
def notification_open(request, pk):
    """Mark the notification read and go to its progress report or checklist item."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    Notification.objects.filter(pk=notification.pk).mark_read()
    return redirect(notification.path())
