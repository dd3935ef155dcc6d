import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import validators


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person; the email address is the login."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="it"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class OrganisationKind(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    TRADE = "trade", _("Trade partner")
    DMC = "dmc", _("DMC")
    IAT = "iat", _("IAT office")
    COMUNE = "comune", _("Comune (municipality)")


class OrganisationSubkind(models.TextChoices):
    ACCOMMODATION = "accommodation", _("Accommodation")
    GUIDE = "guide", _("Guide")
    ARTISAN = "artisan", _("Artisan")
    FOOD_PRODUCER = "food_producer", _("Food producer")
    VENUE = "venue", _("Venue")
    SERVICE = "service", _("Service provider")
    TOUR_OPERATOR = "tour_operator", _("Tour operator")
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")


SUBKINDS_BY_KIND = {
    OrganisationKind.OPERATOR: {
        OrganisationSubkind.ACCOMMODATION,
        OrganisationSubkind.GUIDE,
        OrganisationSubkind.ARTISAN,
        OrganisationSubkind.FOOD_PRODUCER,
        OrganisationSubkind.VENUE,
        OrganisationSubkind.SERVICE,
    },
    OrganisationKind.TRADE: {OrganisationSubkind.TOUR_OPERATOR, OrganisationSubkind.TRAVEL_AGENCY},
    OrganisationKind.DMC: set(),
    OrganisationKind.IAT: set(),
    OrganisationKind.COMUNE: set(),
}


class Organisation(models.Model):
    """Every company on the platform: operators, trade partners, the DMC, IAT offices."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    subkind = models.CharField(
        _("sub-kind"), max_length=20, choices=OrganisationSubkind.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)

    # Fiscal identity
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    partita_iva = models.CharField(
        _("Partita IVA"), max_length=20, blank=True, validators=[validators.validate_partita_iva]
    )
    vat_number = models.CharField(
        _("EU VAT number"),
        max_length=20,
        blank=True,
        help_text=_("For businesses established outside Italy."),
    )
    codice_fiscale = models.CharField(
        _("codice fiscale"),
        max_length=16,
        blank=True,
        validators=[validators.validate_codice_fiscale],
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode (CAP)"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    comune = models.ForeignKey(
        "places.Comune",
        verbose_name=_("comune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    country = models.CharField(_("country"), max_length=2, default="IT")
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the API answers and of the emails to this organisation "
            "(empty: the caller's Accept-Language, else the country's language or English)."
        ),
    )
    iban = models.CharField(
        _("IBAN"), max_length=42, blank=True, validators=[validators.validate_iban]
    )
    sdi_code = models.CharField(
        _("SdI code (codice destinatario)"),
        max_length=7,
        blank=True,
        validators=[validators.validate_sdi_code],
    )
    pec = models.EmailField(_("PEC address"), blank=True)

    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "subkind"])]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        # Normalise what people type (spaces, "IT" prefix, lower case) before validating.
        self.partita_iva = validators.compact_partita_iva(self.partita_iva)
        self.codice_fiscale = validators.compact_codice_fiscale(self.codice_fiscale).upper()
        self.iban = validators.compact_iban(self.iban)
        self.sdi_code = (self.sdi_code or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self):
        allowed = SUBKINDS_BY_KIND.get(self.kind, set())
        if self.subkind and self.subkind not in allowed:
            raise ValidationError(
                {"subkind": _("This sub-kind does not belong to the organisation's kind.")}
            )
        if allowed and not self.subkind:
            raise ValidationError({"subkind": _("Choose a sub-kind for this kind.")})
        if self.kind == OrganisationKind.COMUNE and (
            self.comune_id is None or not self.comune.in_destination
        ):
            # A comune's staff read their comune's tourist data: the link is what scopes it.
            raise ValidationError(
                {"comune": _("A comune organisation needs its comune of the Piana di Lucca.")}
            )

    @property
    def is_operator(self):
        return self.kind == OrganisationKind.OPERATOR

    @property
    def is_trade(self):
        return self.kind == OrganisationKind.TRADE

    @property
    def is_dmc(self):
        return self.kind == OrganisationKind.DMC

    @property
    def is_iat(self):
        return self.kind == OrganisationKind.IAT

    @property
    def is_comune(self):
        return self.kind == OrganisationKind.COMUNE


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


ROLE_RANK = {Role.STAFF: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]


def _new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An email invitation to join an organisation with a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    token = models.CharField(max_length=64, unique=True, default=_new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} -> {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


API_KEY_PREFIX = "pdl"


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(models.Model):
    """An organisation's API key. Only the SHA-256 of the key is stored; it is shown once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.organisation} / {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
