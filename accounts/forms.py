from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role


class OrganisationProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "description",
            "email",
            "phone",
            "website",
            "legal_name",
            "partita_iva",
            "vat_number",
            "codice_fiscale",
            "address",
            "postcode",
            "city",
            "comune",
            "country",
            "language",
            "iban",
            "sdi_code",
            "pec",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == "comune":
            # The comune a comune organisation represents scopes its data: the DMC sets it.
            self.fields["comune"].disabled = True


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Label"), max_length=100)


class OrganisationRegisterForm(forms.ModelForm):
    """A business joins the platform: a trade partner (tour operator, travel agency) or a
    local operator. The person registering becomes its owner."""

    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "subkind",
            "name",
            "legal_name",
            "country",
            "partita_iva",
            "vat_number",
            "codice_fiscale",
            "address",
            "postcode",
            "city",
            "comune",
            "sdi_code",
            "pec",
            "email",
            "phone",
            "website",
            "iban",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import OrganisationKind

        self.fields["kind"].choices = [
            (OrganisationKind.TRADE, _("Tour operator or travel agency")),
            (OrganisationKind.OPERATOR, _("Local operator (stays, guides, crafts, food)")),
        ]
        self.fields["legal_name"].required = True
        self.fields["email"].required = True
