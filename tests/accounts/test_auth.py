import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_user_with_email_login_and_sends_verification(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Giulia.Neri@Example.com",
            "password1": "lucca-mura-1513",
            "password2": "lucca-mura-1513",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="giulia.neri@example.com")
    assert user.check_password("lucca-mura-1513")
    assert EmailAddress.objects.filter(user=user, verified=False).exists()
    assert len(mail.outbox) == 1
    assert "giulia.neri@example.com" in mail.outbox[0].to[0].lower()


def test_sign_up_with_a_duplicate_email_is_a_form_error_not_a_500(client, user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        reverse("account_signup"),
        {
            "email": user.email.upper(),
            "password1": "lucca-mura-1513",
            "password2": "lucca-mura-1513",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert User.objects.filter(email__iexact=user.email).count() == 1


def test_login_with_email_lands_on_the_dashboard(client, owner):
    response = client.post(
        reverse("account_login"), {"login": owner.email, "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard.status_code == 200
    assert "Guide di Lucca" in dashboard.content.decode()


def test_login_with_a_wrong_password_is_refused(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, owner):
    response = client.post(reverse("account_reset_password"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert owner.email in mail.outbox[0].to


def test_the_dashboard_requires_login(client):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_traveller_without_organisation_sees_their_account(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert response.context["organisation"] is None
    # organisation pages are not for them
    assert client.get(reverse("accounts:team")).status_code == 404
