"""Draft revisions of live listings: an edit of a published listing's content is stored as a
`ProductRevision` beside the live version, which stays on sale; the DMC reviews a diff of
exactly the changed fields (all four languages) and approves (applied then) or rejects it,
and the operator is emailed the outcome."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import CurationEvent, Product, ProductRevision, ProductStatus, RevisionStatus

LANGS = ("it", "en", "de", "fr")
TRANSLATED = (
    "title",
    "summary",
    "description",
    "inclusions",
    "exclusions",
    "meeting_point",
    "accessibility_notes",
)
M2M = ("themes", "languages")


# --- Values as JSON, compared the same way whatever the source (form, API, database) ------


def _field(name: str):
    return Product._meta.get_field(name)


def to_json(name: str, value):
    """The value of a product field as stored in a revision (comparable, JSON-safe)."""
    field = _field(name)
    if name in M2M:
        return sorted(getattr(v, "pk", v) for v in (value or []))
    if isinstance(field, models.ForeignKey):
        return getattr(value, "pk", value)
    if value is None or value == "":
        return "" if isinstance(field, (models.CharField, models.TextField)) else None
    if isinstance(field, models.DecimalField):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def from_json(name: str, value):
    """The Python value of a stored revision value, as a form's initial data takes it."""
    field = _field(name)
    if name in M2M or isinstance(field, models.ForeignKey) or value in (None, ""):
        return value
    if isinstance(field, models.DecimalField):
        return Decimal(value)
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    if isinstance(field, models.TimeField):
        return time.fromisoformat(value)
    return value


def live_json(product: Product, name: str):
    if name in M2M:
        return sorted(getattr(product, name).values_list("pk", flat=True))
    field = _field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(product, field.attname)
    return to_json(name, getattr(product, name))


def content_changes(*, product: Product, data: dict) -> dict:
    """The fields of `data` whose value differs from the live product, as JSON values."""
    return {
        name: to_json(name, value)
        for name, value in data.items()
        if to_json(name, value) != live_json(product, name)
    }


def pending_revision(product: Product) -> ProductRevision | None:
    return product.revisions.filter(status=RevisionStatus.PENDING).first()


def form_initial(revision: ProductRevision | None) -> dict:
    """The pending values, for the edit form: the operator goes on editing the draft."""
    if revision is None:
        return {}
    return {name: from_json(name, value) for name, value in revision.data.items()}


# --- Proposing, approving, rejecting ----------------------------------------------------


@transaction.atomic
def revision_propose(*, product: Product, data: dict, actor=None) -> ProductRevision | None:
    """Record content changes of a live listing in its pending revision (one per listing).
    A field set back to its live value leaves the revision; an empty revision is removed."""
    revision = (
        ProductRevision.objects.select_for_update().filter(
            product=product, status=RevisionStatus.PENDING
        )
    ).first()
    proposed = dict(revision.data) if revision else {}
    for name, value in data.items():
        value = to_json(name, value)
        if value == live_json(product, name):
            proposed.pop(name, None)
        else:
            proposed[name] = value
    _check_proposal(product, proposed)
    if not proposed:
        if revision is not None:
            revision.delete()
        return None
    if revision is None:
        revision = ProductRevision(product=product, created_by=_person(actor))
    revision.data = proposed
    revision.updated_at = timezone.now()
    revision.save()
    return revision


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


def _apply(product: Product, data: dict) -> None:
    for name, value in data.items():
        if name in M2M:
            continue
        field = _field(name)
        setattr(product, field.attname, from_json(name, value))
    product.__dict__["title"] = product.title_it or product.title_en or product.title


def _check_proposal(product: Product, proposed: dict) -> None:
    """The proposal must make a valid listing: checked now, not only when the DMC approves."""
    draft = Product.objects.get(pk=product.pk)
    _apply(draft, proposed)
    draft.full_clean(exclude=["slug"])


def _decided(revision: ProductRevision) -> ProductRevision:
    revision = (
        ProductRevision.objects.select_for_update().select_related("product").get(pk=revision.pk)
    )
    if revision.status != RevisionStatus.PENDING:
        raise ValidationError(
            _("This edit was already decided (%(status)s).")
            % {"status": revision.get_status_display()},
            code="revision_decided",
        )
    return revision


@transaction.atomic
def revision_approve(*, revision: ProductRevision, actor) -> Product:
    """Apply the proposed content to the live listing, which stays published."""
    revision = _decided(revision)
    product = Product.objects.select_for_update().get(pk=revision.product_id)
    _apply(product, revision.data)
    product.full_clean()
    product.reviewed_by = actor
    product.save()
    for name in M2M:
        if name in revision.data:
            getattr(product, name).set(revision.data[name])
    _close(revision, actor=actor, status=RevisionStatus.APPROVED)
    CurationEvent.objects.create(
        product=product,
        from_status=product.status,
        to_status=product.status,
        actor=actor,
        reason=_("Edit approved: %(fields)s") % {"fields": ", ".join(sorted(revision.data))},
    )
    return product


@transaction.atomic
def revision_reject(*, revision: ProductRevision, actor, reason: str) -> ProductRevision:
    """Refuse the edit with a reason for the operator; the live listing is unchanged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Tell the operator why: they will read it.")}, code="required"
        )
    revision = _decided(revision)
    revision.reason = reason
    _close(revision, actor=actor, status=RevisionStatus.REJECTED)
    CurationEvent.objects.create(
        product=revision.product,
        from_status=revision.product.status,
        to_status=revision.product.status,
        actor=actor,
        reason=_("Edit rejected: %(reason)s") % {"reason": reason},
    )
    return revision


def _close(revision: ProductRevision, *, actor, status: str) -> None:
    revision.status = status
    revision.decided_by = _person(actor)
    revision.decided_at = timezone.now()
    revision.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    pk = revision.pk
    transaction.on_commit(lambda: revision_outcome_send(revision_id=pk))


def revision_outcome_send(*, revision_id: int) -> int:
    """Email the operator whether their edit was approved or rejected (and why)."""
    revision = ProductRevision.objects.select_related("product__organisation", "created_by").get(
        pk=revision_id
    )
    product = revision.product
    recipients = {e for e in (product.organisation.email,) if e}
    language = settings.LANGUAGE_CODE
    if revision.created_by and revision.created_by.email:
        recipients.add(revision.created_by.email)
        language = revision.created_by.preferred_language or language
    if not recipients:
        return 0
    approved = revision.status == RevisionStatus.APPROVED
    with translation.override(language):
        subject = (
            _("Your edit of “%(title)s” is approved and live")
            if approved
            else _("Your edit of “%(title)s” was not approved")
        ) % {"title": product.title}
        body = render_to_string(
            "operators/email/revision_outcome.txt",
            {
                "product": product,
                "revision": revision,
                "approved": approved,
                "fields": [row.label for row in revision_diff(revision)],
                "url": settings.SITE_URL + reverse("operators:product_edit", args=[product.pk]),
            },
        )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(recipients))


# --- The reviewer's diff ------------------------------------------------------------------


@dataclass
class LanguageDiff:
    lang: str
    old: str
    new: str
    changed: bool
    html: str


@dataclass
class DiffRow:
    name: str
    label: str
    languages: list[LanguageDiff] | None = None  # translated fields: all four languages
    old: str = ""
    new: str = ""


def word_diff(old: str, new: str) -> str:
    """The new text with removed words in <del> and added words in <ins> (HTML-escaped)."""
    a, b = (old or "").split(" "), (new or "").split(" ")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(part for part in out if part))  # noqa: S308 (escaped above)


def _display(product: Product, name: str, value) -> str:
    field = _field(name)
    if name in M2M:
        objects = field.related_model.objects.filter(pk__in=value or [])
        return ", ".join(str(o) for o in objects)
    if isinstance(field, models.ForeignKey):
        obj = field.related_model.objects.filter(pk=value).first() if value else None
        return str(obj) if obj else "—"
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    return "—" if value in (None, "") else str(value)


def revision_diff(revision: ProductRevision) -> list[DiffRow]:
    """Exactly the fields the revision changes, old against new; a translated field shows
    its four languages (it, en, de, fr), the changed ones marked."""
    product = revision.product
    data = revision.data
    rows = []
    for base in TRANSLATED:
        names = [f"{base}_{lang}" for lang in LANGS]
        if not any(n in data for n in names):
            continue
        languages = []
        for lang, name in zip(LANGS, names, strict=True):
            old = live_json(product, name) or ""
            new = data.get(name, old) or ""
            languages.append(LanguageDiff(lang, old, new, old != new, word_diff(old, new)))
        rows.append(DiffRow(base, str(_field(base).verbose_name), languages=languages))
    for name, value in data.items():
        if name.rsplit("_", 1)[0] in TRANSLATED and name.rsplit("_", 1)[-1] in LANGS:
            continue
        rows.append(
            DiffRow(
                name,
                str(_field(name).verbose_name),
                old=_display(product, name, live_json(product, name)),
                new=_display(product, name, value),
            )
        )
    return rows


def is_live(product: Product) -> bool:
    return product.status == ProductStatus.PUBLISHED
