import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import ApiKey, hash_api_key
from accounts.services import api_key_revoke
from tests.factories import api_key_for

pytestmark = pytest.mark.django_db


def test_create_api_key_command_prints_a_key_that_is_stored_hashed(operator_org, capsys):
    call_command("create_api_key", operator_org.slug, "--name", "channel manager")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("pdl_")
    key = ApiKey.objects.get(organisation=operator_org)
    assert key.name == "channel manager"
    assert key.key_hash == hash_api_key(raw)
    assert raw not in (key.key_hash, key.prefix)


def test_create_api_key_for_an_unknown_organisation_fails_with_a_message():
    with pytest.raises(CommandError, match="no-such-org"):
        call_command("create_api_key", "no-such-org", "--name", "x")


def test_bearer_key_authenticates_as_the_organisation(api_client, operator_org):
    key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api_client.get("/api/v1/organisations/")
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == operator_org.slug
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer pdl_nothere_xxx", "Bearer garbage", "Bearer a b"])
def test_wrong_keys_are_401(api_client, operator_org, header):
    api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_key_with_one_character_changed_is_refused(api_client, operator_org):
    _key, raw = api_key_for(operator_org)
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert api_client.get("/api/v1/organisations/").status_code == 401


def test_a_revoked_key_is_refused(api_client, operator_org):
    key, raw = api_key_for(operator_org)
    api_key_revoke(api_key=key)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/organisations/").status_code == 401


def test_anonymous_api_access_is_401(api_client):
    assert api_client.get("/api/v1/organisations/").status_code in (401, 403)


def test_session_users_use_the_api_too(client, owner, operator_org):
    client.force_login(owner)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == operator_org.slug


def test_the_key_page_shows_a_new_key_once(client, owner):
    client.force_login(owner)
    client.post(reverse("accounts:api_keys"), {"name": "website"})
    first = client.get(reverse("accounts:api_keys"))
    assert first.context["new_key"].startswith("pdl_")
    second = client.get(reverse("accounts:api_keys"))
    assert second.context["new_key"] is None


def test_staff_members_cannot_manage_keys(client, staff_member):
    client.force_login(staff_member)
    assert client.get(reverse("accounts:api_keys")).status_code == 403
