"""`Authorization: Bearer <key>`: 401 for a missing, wrong or revoked key, 403 for a scope."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from ads.api.errors import refused
from ads.models import ApiKey
from ads.services.api_keys import verify_key


class KeyWithScope(HttpBearer):
    """A valid key that holds `scope`; ninja answers 401 when `authenticate` gives None."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = verify_key(token)
        if api_key is not None and self.scope not in api_key.scopes:
            raise refused(f"This key lacks the {self.scope!r} scope.", status=403)
        return api_key


INGEST = KeyWithScope(ApiKey.Scope.INGEST)
READ = KeyWithScope(ApiKey.Scope.READ)


def key_of(request: HttpRequest) -> ApiKey:
    """The key the request was authenticated with (set by ninja as `request.auth`)."""
    api_key = getattr(request, "auth", None)
    if not isinstance(api_key, ApiKey):
        raise refused("Give an API key: Authorization: Bearer <key>.", status=401)
    return api_key
