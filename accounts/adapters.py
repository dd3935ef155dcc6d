from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """Sign-in throttling that a stranger cannot turn against the account's owner: the lockout
    after wrong passwords is per (client address, account), and the per-account ceiling
    against guessing from many addresses only stops the password; the emailed sign-in code
    still works (see ACCOUNT_RATE_LIMITS in settings)."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts_account": _(
            "Too many wrong passwords for this account from several places. Sign in with a "
            "code sent to your email address instead."
        ),
    }

    def get_login_redirect_url(self, request):
        return reverse("accounts:home")

    def _account_key(self, request, **credentials) -> str:
        return super()._get_login_attempts_cache_key(request, **credentials)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth's per-"key" lockout counts per account; counting per (account, address)
        # keeps it from locking out the owner, who signs in from another address.
        return f"{self._account_key(request, **credentials)}@{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        if not ratelimit.consume(
            request,
            action="login_failed_account",
            key=self._account_key(request, **credentials),
            dry_run=True,
        ):
            raise self.validation_error("too_many_login_attempts_account")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials) -> None:
        ratelimit.consume(
            request, action="login_failed_account", key=self._account_key(request, **credentials)
        )
        super().authentication_failed(request, **credentials)
