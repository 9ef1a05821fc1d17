"""The OpenID provider fixtures (tests/oidc/provider.py) for the single sign-on tests."""

from tests.oidc.provider import oidc_provider, sso  # noqa: F401 (fixtures)
