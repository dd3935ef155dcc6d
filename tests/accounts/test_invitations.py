from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_owner_invites_by_email_and_the_mail_leaves_after_commit(
    owner_client, operator_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post(
            reverse("accounts:invite"), {"email": "Nuovo@Example.com", "role": Role.MANAGER}
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    invitation = Invitation.objects.get(organisation=operator_org)
    assert invitation.email == "nuovo@example.com"
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert mail.outbox[0].alternatives  # HTML part too


def test_no_mail_is_sent_when_the_transaction_rolls_back(operator_org, owner):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.invitation_create(
            organisation=operator_org, email="x@example.com", role=Role.STAFF, invited_by=owner
        )
        raise RuntimeError("rollback")
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_accepting_creates_the_membership_with_the_role(client, operator_org, owner):
    invitation = services.invitation_create(
        organisation=operator_org, email="guida@example.com", role=Role.MANAGER, invited_by=owner
    )
    invitee = UserFactory(email="guida@example.com")
    client.force_login(invitee)
    response = client.post(reverse("accounts:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302
    membership = Membership.objects.get(user=invitee, organisation=operator_org)
    assert membership.role == Role.MANAGER
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    # a second use is refused
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=invitee)


def test_an_invitation_cannot_be_accepted_by_another_address(client, operator_org, owner):
    invitation = services.invitation_create(
        organisation=operator_org, email="giusto@example.com", role=Role.STAFF, invited_by=owner
    )
    intruder = UserFactory(email="sbagliato@example.com")
    client.force_login(intruder)
    response = client.post(reverse("accounts:invitation_accept", args=[invitation.token]))
    assert response.status_code == 403
    assert not Membership.objects.filter(user=intruder).exists()


def test_an_expired_invitation_is_refused(operator_org, owner):
    invitation = services.invitation_create(
        organisation=operator_org, email="tardi@example.com", role=Role.STAFF, invited_by=owner
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    invitee = UserFactory(email="tardi@example.com")
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=invitee)
    assert not Membership.objects.filter(user=invitee).exists()


def test_a_second_open_invitation_to_the_same_address_is_a_clear_error(operator_org, owner):
    services.invitation_create(
        organisation=operator_org, email="due@example.com", role=Role.STAFF, invited_by=owner
    )
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(
            organisation=operator_org, email="DUE@example.com", role=Role.STAFF, invited_by=owner
        )
    assert "email" in exc.value.message_dict


def test_staff_cannot_invite(client, staff_member, operator_org):
    client.force_login(staff_member)
    response = client.post(reverse("accounts:invite"), {"email": "a@example.com", "role": "staff"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_a_manager_cannot_invite_an_owner(client, operator_org):
    from tests.factories import MembershipFactory

    manager = MembershipFactory(organisation=operator_org, role=Role.MANAGER).user
    client.force_login(manager)
    response = client.post(
        reverse("accounts:invite"), {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_last_owner_cannot_be_removed(operator_org, owner):
    membership = Membership.objects.get(user=owner, organisation=operator_org)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, actor=owner)
    assert Membership.objects.filter(pk=membership.pk).exists()
