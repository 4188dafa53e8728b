"""Password reset by e-mail, which says so when it cannot send."""

from django.contrib.auth import views as auth_views

from accounts.forms import LoudPasswordResetForm, MailNotSent
from accounts.mail import mail_configured


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page, except that it never says "sent" when nothing went: without a mail server
    it offers no form and sends the user to an administrator; a refused mail is an error."""

    form_class = LoudPasswordResetForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(mail_configured=mail_configured(), **kwargs)

    def post(self, request, *args, **kwargs):
        if not mail_configured():
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except MailNotSent:
            return self.render_to_response(self.get_context_data(form=form, mail_failed=True))
