"""The OpenAPI security schemes of ``accounts.drf``'s authentication classes: DRF's session
and token schemes, unchanged (the two-step refusal is a 403 like any other)."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class TwoStepSessionScheme(SessionScheme):
    target_class = "ayni.accounts.drf.SessionAuthentication"


class TwoStepTokenScheme(TokenScheme):
    target_class = "ayni.accounts.drf.TokenAuthentication"
