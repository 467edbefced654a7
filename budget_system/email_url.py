"""EMAIL_URL: the outgoing mail server as one URL, like DATABASE_URL for the database.

    smtp://user:password@mail.example.com:587?tls=1   STARTTLS (submission port)
    smtps://user:password@mail.example.com:465         TLS from the start
    console://                                         print emails to the log (development)
    memory://                                          keep them in memory (tests)

User and password are percent-decoded, so a password may hold any character (%40 for @).
Parsed here (twenty lines) rather than with a dependency that would only do this.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class EmailSettings:
    """Django's EMAIL_* settings, by their names without the prefix."""

    backend: str
    host: str
    port: int
    host_user: str
    host_password: str
    use_tls: bool
    use_ssl: bool


def parse_email_url(url: str) -> EmailSettings:
    """Django's EMAIL_* settings for `url`; a scheme not listed above is a clear error."""
    parts = urlsplit(url)
    if parts.scheme not in BACKENDS:
        raise ValueError(
            f"EMAIL_URL must start with one of {', '.join(sorted(BACKENDS))}://, "
            f"not {parts.scheme or 'nothing'}://."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
    use_tls = query.get("tls", "").lower() in _TRUE
    if use_tls and use_ssl:
        # Django's SMTP backend refuses both too, but only when a worker first sends a mail.
        raise ValueError(
            "EMAIL_URL asks for both STARTTLS (tls=1) and TLS from the start (smtps:// or "
            "ssl=1): choose one, smtp://...:587?tls=1 or smtps://...:465."
        )
    return EmailSettings(
        backend=BACKENDS[parts.scheme],
        host=parts.hostname or "localhost",
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        host_user=unquote(parts.username or ""),
        host_password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )
