"""The forms of the people pages: invite someone, change a member, accept an invitation."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import UsernameField
from django.utils.translation import get_language, gettext_lazy as _

from assessments.models import Role
from measures.models import Unit
from people.models import Invitation


def units_field(agency):
    return forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.filter(agency=agency).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Unit staff report for these units' measures."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.UNIT_STAFF)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["units"] = units_field(agency)
        self.fields["language"].initial = get_language()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Invitation.objects.pending().filter(agency=self.agency, email=email).exists():
            raise forms.ValidationError(
                _("This address has an invitation already: send it again from the list of invitations.")
            )
        return email


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    oversight = forms.BooleanField(
        label=_("Oversees the agencies under this one"),
        required=False,
        help_text=_("Only system administrators give or take oversight."),
    )

    def __init__(self, *args, agency, may_grant_oversight, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"] = units_field(agency)
        # A disabled field keeps its initial value whatever is posted.
        self.fields["oversight"].disabled = not may_grant_oversight


class AcceptForm(forms.Form):
    """A user name and a password, checked as Django's set-password form checks them."""

    username = UsernameField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; you sign in with it."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["username"].initial = invitation.email.partition("@")[0]

    def clean_username(self):
        username = self.cleaned_data["username"]
        model = get_user_model()
        for validator in model._meta.get_field("username").validators:
            validator(username)
        if model.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken. Please choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            model = get_user_model()
            candidate = model(username=cleaned.get("username", ""), email=self.invitation.email)
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
