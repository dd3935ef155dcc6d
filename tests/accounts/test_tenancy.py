"""Tenancy fails closed: walk every organisation-scoped URL as another tenant."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import ListView

from accounts.models import Role
from accounts.tenancy import OrganisationScopedMixin, OrganisationScopedViewSet
from tests.factories import SCOPED_MODEL_FACTORIES, api_key_for

TEST_APPS = (
    "operators",
    "packages",
    "bookings",
    "payments",
    "invoices",
    "iat",
    "allotments",
    "tradeportal",
    "webhooks",
)


def all_scoped_factories():
    """Each app's tests/<app>/factories.py may add SCOPED_MODEL_FACTORIES of its own."""
    import importlib

    merged = dict(SCOPED_MODEL_FACTORIES)
    for app in TEST_APPS:
        try:
            module = importlib.import_module(f"tests.{app}.factories")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.{app}", f"tests.{app}.factories"):
                raise
            continue
        merged.update(getattr(module, "SCOPED_MODEL_FACTORIES", {}))
    return merged


pytestmark = pytest.mark.django_db


def _walk(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def scoped_url_patterns():
    """(name, view class, kwargs names) of every URL served by an organisation-scoped view."""
    found = []
    for route, pattern in _walk(get_resolver()):
        view_class = getattr(pattern.callback, "view_class", None) or getattr(
            pattern.callback, "cls", None
        )
        if view_class and issubclass(
            view_class, OrganisationScopedMixin | OrganisationScopedViewSet
        ):
            found.append((route, pattern, view_class))
    return found


def test_the_walk_finds_the_scoped_views():
    names = {pattern.name for _route, pattern, _cls in scoped_url_patterns()}
    assert {"team", "invitation_revoke", "api_keys", "api_key_revoke"} <= names
    assert "organisation-detail" in names


SUBKIND_OF = {"operator": "guide", "trade": "tour_operator", "dmc": "", "iat": ""}


def test_every_scoped_url_with_an_object_answers_404_to_another_tenant(client):
    """For every scoped view: a member of an organisation of an allowed kind asks for an
    object that belongs to another organisation of the same kind, and gets 404."""
    from tests.factories import MembershipFactory, OrganisationFactory

    factories = all_scoped_factories()
    checked = 0
    for route, pattern, view_class in scoped_url_patterns():
        keys = [k for k in pattern.pattern.regex.groupindex if k != "format"]
        if not keys:
            continue
        kind = (view_class.organisation_kinds or ("operator",))[0]
        mine = OrganisationFactory(kind=kind, subkind=SUBKIND_OF[kind])
        other = OrganisationFactory(kind=kind, subkind=SUBKIND_OF[kind])
        client.force_login(MembershipFactory(organisation=mine, role=Role.OWNER).user)
        model = getattr(view_class, "model", None) or view_class.queryset.model
        assert model in factories, f"add a factory for {model.__name__}"
        foreign = factories[model](other)
        kwargs = {key: getattr(foreign, key, None) or foreign.pk for key in keys}
        url = reverse(route, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (url, method, response.status_code)
            if response.status_code == 404:
                checked += 1
    assert checked >= 3


def test_list_views_show_only_the_own_organisation(client, owner, other_owner, operator_org):
    client.force_login(owner)
    response = client.get(reverse("accounts:team"))
    emails = {m.user.email for m in response.context["memberships"]}
    assert owner.email in emails
    assert other_owner.email not in emails


def test_a_scoped_view_cannot_override_get_queryset():
    with pytest.raises(TypeError, match="get_base_queryset"):

        class Leaky(OrganisationScopedMixin, ListView):
            def get_queryset(self):
                return super().get_queryset()


def test_api_detail_of_another_tenant_is_404(api_client, operator_org, other_operator_org):
    _key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get(f"/api/v1/organisations/{operator_org.slug}/").status_code == 200
    response = api_client.get(f"/api/v1/organisations/{other_operator_org.slug}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    listing = api_client.get("/api/v1/organisations/").json()
    assert [o["slug"] for o in listing["results"]] == [operator_org.slug]


def test_a_staff_member_reads_but_cannot_change_the_profile(client, staff_member, operator_org):
    client.force_login(staff_member)
    assert client.get(reverse("accounts:organisation_profile")).status_code == 200
    response = client.post(reverse("accounts:organisation_profile"), {"name": "Hacked"})
    assert response.status_code == 403
    operator_org.refresh_from_db()
    assert operator_org.name == "Guide di Lucca"


def test_switching_to_an_organisation_the_user_does_not_belong_to_is_refused(
    client, owner, other_operator_org
):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:switch_organisation"), {"organisation": other_operator_org.pk}
    )
    assert response.status_code == 403


def test_a_member_of_two_organisations_switches_between_them(client, owner, other_operator_org):
    from tests.factories import MembershipFactory

    MembershipFactory(user=owner, organisation=other_operator_org, role=Role.STAFF)
    client.force_login(owner)
    client.post(reverse("accounts:switch_organisation"), {"organisation": other_operator_org.pk})
    response = client.get(reverse("accounts:dashboard"))
    assert response.context["organisation"] == other_operator_org


def dmc_only_url_patterns():
    from accounts.tenancy import DmcStaffRequiredMixin

    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver())
        if issubclass(
            getattr(pattern.callback, "view_class", None) or type(None), DmcStaffRequiredMixin
        )
    ]


def test_every_back_office_url_is_404_for_operators_and_trade(client, owner):
    client.force_login(owner)
    for route, pattern in dmc_only_url_patterns():
        keys = [k for k in pattern.pattern.regex.groupindex if k != "format"]
        kwargs = {key: ("x" if key in ("slug", "reference", "token") else 1) for key in keys}
        url = reverse(route, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (url, method, response.status_code)
