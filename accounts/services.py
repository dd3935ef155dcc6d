"""State changes of users, organisations, memberships, invitations and API keys."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketplace.queries import CompiledQuery
from marketplace.text import render_text
from outbox.services import outbox_enqueue

from .models import (
    API_KEY_PREFIX,
    ApiKey,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
    hash_api_key,
)


class DmcGroup:
    """Permission groups of DMC staff."""

    ADMIN = "DMC admin"
    PRODUCT_MANAGER = "Product manager"
    FINANCE = "Finance"
    IAT_AGENT = "IAT agent"

    ALL = (ADMIN, PRODUCT_MANAGER, FINANCE, IAT_AGENT)


def dmc_groups_ensure() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in DmcGroup.ALL}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, owner: User | None = None, **fields
) -> Organisation:
    organisation = Organisation(name=name, kind=kind, **fields)
    if not organisation.slug:
        organisation.slug = _unique_slug(name)
    organisation.full_clean()
    organisation.save()
    if owner is not None:
        membership_set(organisation=organisation, user=owner, role=Role.OWNER)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict) -> Organisation:
    for field, value in data.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    return organisation


def membership_set(*, organisation: Organisation, user: User, role: str) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    owners = Membership.objects.select_for_update().filter(
        organisation=membership.organisation, role=Role.OWNER
    )
    if membership.role == Role.OWNER and owners.count() <= 1:
        raise ValidationError(_("An organisation must keep at least one owner."))
    membership.delete()


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by: User
) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    invitation = Invitation(
        organisation=organisation, email=email, role=role, invited_by=invited_by
    )
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
            outbox_enqueue(handler=INVITATION_SEND, kwargs={"invitation_id": invitation.pk})
    except IntegrityError as exc:
        raise ValidationError(
            {"email": _("An invitation to this address is already pending.")}
        ) from exc
    return invitation


INVITATION_SEND = "accounts.invitation_send"


def _invitation_send_handler(*, invitation_id: int) -> None:
    """The outbox handler: send the email of a still pending invitation (once accepted or
    revoked, nothing is sent)."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None and invitation.accepted_at is None and not invitation.revoked_at:
        invitation_send(invitation=invitation)


def invitation_send(*, invitation: Invitation) -> None:
    url = settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation.token])
    language = invitation.invited_by.preferred_language if invitation.invited_by else "it"
    with translation.override(language):
        context = {"invitation": invitation, "url": url}
        subject = _("You are invited to join %(organisation)s") % {
            "organisation": invitation.organisation.name
        }
        send_mail(
            subject,
            render_text("accounts/email/invitation.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [invitation.email],
            html_message=render_to_string("accounts/email/invitation.html", context),
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or was already used."))
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another email address."))
    membership = membership_set(
        organisation=invitation.organisation, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def api_key_create(
    *, organisation: Organisation, name: str, created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored and shown once."""
    prefix = secrets.token_hex(4)
    raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        organisation=organisation,
        name=name,
        prefix=prefix,
        key_hash=hash_api_key(raw),
        created_by=created_by,
    )
    api_key.full_clean()
    api_key.save()
    return api_key, raw


def api_key_revoke(*, api_key: ApiKey) -> None:
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])


# Every API request looks its key up: SQL compiled once per process (marketplace/queries.py).
# The trade contract comes too: a partner's request reads its terms without another query.
# The prefix is unique: one row at most, no ORDER BY.
_ACTIVE_API_KEY = CompiledQuery(
    lambda prefix: (
        ApiKey.objects.select_related("organisation", "organisation__trade_contract")
        .filter(prefix=prefix, revoked_at__isnull=True, organisation__is_active=True)
        .order_by()[:1]
    ),
    prefix="compiled-query-placeholder",
)


def api_key_authenticate(raw: str) -> ApiKey | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    api_key = _ACTIVE_API_KEY.first(prefix=parts[1])
    if api_key is None or not secrets.compare_digest(api_key.key_hash, hash_api_key(raw)):
        return None
    api_key_touch(api_key=api_key)
    return api_key


@transaction.atomic
def comune_organisation_create(
    *, comune, owner_email: str, invited_by: User | None = None
) -> tuple[Organisation, Invitation]:
    """The organisation through which a comune's staff read their comune's tourist data, and
    the invitation of its first owner (who then invites colleagues from the team page)."""
    organisation = organisation_create(
        name=f"Comune di {comune.name}",
        kind=OrganisationKind.COMUNE,
        comune=comune,
        city=comune.name,
        slug=_unique_slug(f"comune-di-{comune.name}"),
    )
    invitation = invitation_create(
        organisation=organisation, email=owner_email, role=Role.OWNER, invited_by=invited_by
    )
    return organisation, invitation


def api_key_touch(*, api_key: ApiKey, now=None) -> bool:
    """Record that the key was used, at most once per API_KEY_LAST_USED_RESOLUTION_SECONDS:
    a shared-cache gate first (no database write at all on most requests), then a conditional
    UPDATE in its own autocommit statement, so that no request's transaction holds the key's
    row. True if the row was written."""
    from django.conf import settings
    from django.core.cache import cache

    now = now or timezone.now()
    resolution = settings.API_KEY_LAST_USED_RESOLUTION_SECONDS
    if api_key.last_used_at and (now - api_key.last_used_at).total_seconds() < resolution:
        return False
    if not cache.add(f"api-key-used:{api_key.pk}", 1, timeout=resolution):
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(seconds=resolution))

    def write():
        return ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)

    connection = transaction.get_connection()
    # (a test case's own wrapping transaction does not count as the caller's)
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        transaction.on_commit(write)  # never inside the caller's transaction
        return False
    return bool(write())
