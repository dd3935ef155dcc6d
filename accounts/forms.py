from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role


class OrganisationProfileForm(forms.ModelForm):
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
            "iban",
            "sdi_code",
            "pec",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Label"), max_length=100)
