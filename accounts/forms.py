"""The forms of the second factor and of a password reset that says when no mail went out."""

import logging

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts import second_factor
from accounts.models import Preferences

logger = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolmentForm(forms.Form):
    """The first code from the app, and the secret the page showed (signed, in a hidden field)."""

    secret = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_secret(self):
        key = second_factor.secret_key(self.user, self.cleaned_data["secret"])
        if key is None:
            raise forms.ValidationError(_("This page is too old. Scan the new code below and try again."))
        return key

    def clean(self):
        key, code = self.cleaned_data.get("secret"), self.cleaned_data.get("code")
        if key and code and not second_factor.code_matches(key, second_factor.normalised(code)):
            self.add_error("code", _("That code does not match. Check the app shows ITA Tracker and try the new code."))
        return self.cleaned_data


class MailNotSent(Exception):
    """The mail server refused or could not be reached."""


class LoudPasswordResetForm(PasswordResetForm):
    """Django's reset form, except that a mail the server refuses is an error to show, not a
    line in the log while the page says "sent"."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(loader.render_to_string(html_email_template_name, context), "text/html")
        try:
            message.send()
        except Exception as exc:
            logger.error("The password reset e-mail to user %s could not be sent: %s", context["user"].pk, exc)
            raise MailNotSent from exc


class PreferencesForm(forms.ModelForm):
    """The language of the pages and e-mails, how notifications come by e-mail, and the position
    the documents print under the person's name (My account)."""

    class Meta:
        model = Preferences
        fields = ["language", "email_notifications", "position"]
        widgets = {"email_notifications": forms.RadioSelect}
