from django.conf import settings
from rest_framework import serializers

from ..models import Membership, Organisation

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class OrganisationSerializer(serializers.ModelSerializer):
    comune = serializers.SlugRelatedField(slug_field="istat_code", read_only=True, allow_null=True)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CODES,
        allow_blank=True,
        read_only=True,
        help_text="The language of the API answers (empty: Accept-Language, else the country's).",
    )

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "kind",
            "subkind",
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
        read_only_fields = ["slug", "kind", "subkind"]


class OrganisationUpdateSerializer(serializers.Serializer):
    """Input for a fiscal/profile update; validation of values happens in the model."""

    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    legal_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    partita_iva = serializers.CharField(max_length=20, required=False, allow_blank=True)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    codice_fiscale = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    iban = serializers.CharField(max_length=40, required=False, allow_blank=True)
    sdi_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    pec = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False, allow_blank=True)


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["email", "role", "created_at"]
