from django.http import Http404


class NullBytesNotFound:
    """An address or query string holding a null byte is "not found": no page takes one, and
    PostgreSQL refuses to store or compare text with one (the admin's search answered 500).
    The app's own path converters refuse them already; this covers every query string and the
    admin's and Django's own patterns in one place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise Http404
        return self.get_response(request)
