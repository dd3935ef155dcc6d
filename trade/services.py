"""Changes to trade partners' contracts, each recorded in the contract's history (who, when,
what changed)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import TradeContract

from .models import ContractChange, ContractVersion, PriceRule

TERMS_FIELDS = (
    "option_days",
    "cancellation_policy",
    "credit_limit",
    "on_account",
    "payment_terms_days",
    "deposit_percent",
    "balance_days_before",
)


def _value(obj, name):
    value = getattr(obj, name + "_id", None) if name == "cancellation_policy" else None
    if value is None:
        value = getattr(obj, name)
    return None if value is None else str(value)


def _log(contract, *, actor, summary: str, changes: dict) -> ContractChange:
    return ContractChange.objects.create(
        contract=contract,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor else "system",
        summary=summary[:300],
        changes=changes,
    )


def contract_for(*, organisation, actor=None) -> TradeContract:
    """The partner's contract, created with the platform's defaults when it has none."""
    contract, created = TradeContract.objects.get_or_create(organisation=organisation)
    if created:
        _log(contract, actor=actor, summary=_("Contract created"), changes={})
    return contract


@transaction.atomic
def contract_terms_update(*, contract: TradeContract, actor=None, **values) -> TradeContract:
    """Change the contract's option length, cancellation terms, credit and payment terms."""
    contract = TradeContract.objects.select_for_update().get(pk=contract.pk)
    before = {name: _value(contract, name) for name in TERMS_FIELDS}
    for name, value in values.items():
        if name not in TERMS_FIELDS:
            raise ValueError(name)
        setattr(contract, name, value)
    contract.full_clean()
    after = {name: _value(contract, name) for name in TERMS_FIELDS}
    diff = {k: [before[k], after[k]] for k in TERMS_FIELDS if before[k] != after[k]}
    if diff:
        contract.save(update_fields=[k for k in TERMS_FIELDS if k in diff])
        _log(contract, actor=actor, summary=_("Terms changed"), changes=diff)
    return contract


@transaction.atomic
def contract_version_create(
    *,
    contract: TradeContract,
    valid_from: date,
    valid_until: date | None = None,
    note: str = "",
    copy_rules_from: ContractVersion | None = None,
    actor=None,
) -> ContractVersion:
    """A new version of the price terms from `valid_from` (its rules copied from
    `copy_rules_from`, usually the version in force, so that only the changes need editing)."""
    version = ContractVersion(
        contract=contract,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    version.full_clean()
    version.save()
    if copy_rules_from is not None:
        for rule in copy_rules_from.rules.all():
            rule.pk = None
            rule.version = version
            rule.save()
    _log(
        contract,
        actor=actor,
        summary=_("New version from %(day)s") % {"day": valid_from.isoformat()},
        changes={
            "version": version.pk,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "copied_from": copy_rules_from.pk if copy_rules_from else None,
        },
    )
    return version


@transaction.atomic
def price_rule_save(*, rule: PriceRule, actor=None) -> PriceRule:
    """Add or change a rule of a version (validated first; nothing written when invalid)."""
    before = None
    if rule.pk:
        old = PriceRule.objects.filter(pk=rule.pk).first()
        before = old.as_dict() if old else None
    rule.full_clean()
    rule.save()
    after = rule.as_dict()
    _log(
        rule.version.contract,
        actor=actor,
        summary=(_("Rule changed: %(rule)s") if before else _("Rule added: %(rule)s"))
        % {"rule": rule},
        changes={"version": rule.version_id, "before": before, "after": after},
    )
    return rule


@transaction.atomic
def price_rule_delete(*, rule: PriceRule, actor=None) -> None:
    contract = rule.version.contract
    before = rule.as_dict()
    label = str(rule)
    version_id = rule.version_id
    rule.delete()
    _log(
        contract,
        actor=actor,
        summary=_("Rule removed: %(rule)s") % {"rule": label},
        changes={"version": version_id, "before": before, "after": None},
    )


# --- partner applications ----------------------------------------------------------------


def _mail(*, to: str, subject: str, body: str) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=True)
    )


@transaction.atomic
def application_submit(*, application) -> object:
    """Record a partner application (validated by its form) and tell the applicant."""
    application.full_clean()
    application.save()
    _mail(
        to=application.contact_email,
        subject=_("Your application as a trade partner"),
        body=_(
            "Dear %(name)s,\n\nwe have received the application of %(company)s to become a "
            "trade partner of the Piana di Lucca DMC. We will answer within a few working "
            "days.\n\nPiana di Lucca DMC"
        )
        % {"name": application.contact_name, "company": application.company_name},
    )
    return application


@transaction.atomic
def application_approve(*, application, actor, credit_limit=None, option_days=None):
    """Create the partner's organisation, its contract (first version from today, no rules
    yet: public prices until the DMC adds them) and invite the applicant as its owner."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import invitation_create, organisation_create

    from .models import ApplicationStatus, PartnerApplication

    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application has already been decided."), code="decided")
    organisation = organisation_create(
        name=application.company_name,
        kind="trade",
        subkind=application.subkind,
        legal_name=application.legal_name or application.company_name,
        country=application.country,
        partita_iva=application.partita_iva,
        vat_number=application.vat_number,
        address=application.address,
        city=application.city,
        website=application.website,
        email=application.contact_email,
        phone=application.contact_phone,
    )
    contract = contract_for(organisation=organisation, actor=actor)
    terms = {}
    if credit_limit is not None:
        terms["credit_limit"] = credit_limit
    if option_days is not None:
        terms["option_days"] = option_days
    if terms:
        contract = contract_terms_update(contract=contract, actor=actor, **terms)
    contract_version_create(
        contract=contract, valid_from=timezone.localdate(), note=_("First version"), actor=actor
    )
    invitation_create(
        organisation=organisation,
        email=application.contact_email,
        role=Role.OWNER,
        invited_by=actor,
    )
    application.status = ApplicationStatus.APPROVED
    application.organisation = organisation
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save(update_fields=["status", "organisation", "decided_at", "decided_by"])
    return organisation


@transaction.atomic
def application_refuse(*, application, actor, reason: str):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from .models import ApplicationStatus, PartnerApplication

    if not (reason or "").strip():
        raise ValidationError(
            {"refusal_reason": _("Say why the application is refused.")}, code="reason_required"
        )
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application has already been decided."), code="decided")
    application.status = ApplicationStatus.REFUSED
    application.refusal_reason = reason.strip()
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
    _mail(
        to=application.contact_email,
        subject=_("Your application as a trade partner"),
        body=_(
            "Dear %(name)s,\n\nwe are sorry: we cannot accept the application of %(company)s "
            "as a trade partner.\n\nReason: %(reason)s\n\nPiana di Lucca DMC"
        )
        % {
            "name": application.contact_name,
            "company": application.company_name,
            "reason": application.refusal_reason,
        },
    )
    return application
