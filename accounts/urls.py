from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("organisation/", views.OrganisationProfileView.as_view(), name="organisation_profile"),
    path(
        "organisation/register/",
        views.OrganisationRegisterView.as_view(),
        name="organisation_register",
    ),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("team/", views.TeamView.as_view(), name="team"),
    path("team/invite/", views.InvitationCreateView.as_view(), name="invite"),
    path(
        "team/invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"
    ),
    path("api-keys/", views.ApiKeyListView.as_view(), name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api_key_revoke"),
]
