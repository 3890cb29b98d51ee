"""Settings, read from the environment (and nowhere else in the code).

``DATABASE_URL`` plus ``FREMDRIFT_*`` variables: FREMDRIFT_SECRET_KEY, FREMDRIFT_HTTPS, ...
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"
STATIC_DIR = PROJECT_DIR / "static"
SEED_DIR = PROJECT_DIR / "seed"
MIGRATIONS_DIR = PROJECT_DIR / "migrations"
# A known placeholder, not a secret: create_app() logs a warning while it is in use.
DEV_SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105


class Settings(BaseSettings):
    """Everything an operator can set. Environment variables win over the defaults."""

    model_config = SettingsConfigDict(env_prefix="FREMDRIFT_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_DIR / 'fremdrift.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "FREMDRIFT_DATABASE_URL"),
        description="SQLAlchemy URL; an SQLite file by default, PostgreSQL in production.",
    )
    # Keys the CSRF tokens. Every app process serving the same users must share it.
    secret_key: str = DEV_SECRET_KEY
    session_hours: int = Field(default=12, ge=1, le=24 * 14)
    # Set when the app is served over https (directly or behind a proxy): cookies become Secure.
    https: bool = False
    # Shows a banner that all statuses are fictional; set by scripts/demo.
    demo: bool = False
    # The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto `fremdrift serve` believes:
    # comma-separated addresses or networks (e.g. "10.0.0.5" or "10.0.0.0/24"). Empty (the
    # default): no one's, so the log-in throttle counts the real peer's address.
    trusted_proxies: str = ""
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # Single-use links to choose a password (app.domain.accounts.links), and how many may be
    # asked for per hour: resets per e-mail typed and per client address, invitations per sender.
    invitation_link_hours: int = Field(default=72, ge=1, le=24 * 30)
    reset_link_hours: int = Field(default=1, ge=1, le=48)
    resets_per_email_per_hour: int = Field(default=3, ge=1)
    resets_per_address_per_hour: int = Field(default=20, ge=1)
    invitations_per_hour: int = Field(default=100, ge=1)

    # The outbox's SMTP server (app.mail). Without a host, mail waits in the outbox.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "Fremdrift <fremdrift@localhost>"
    smtp_timeout_seconds: float = Field(default=20, gt=0, le=300)
    # The address users reach the app at, for the links in e-mails.
    public_url: str = "http://127.0.0.1:8000"
    # Run the background jobs (the outbox sender, scheduled reminders) inside `fremdrift serve`.
    # Set to false when `fremdrift worker` runs them in a process of its own.
    worker_in_serve: bool = True
    worker_interval_seconds: float = Field(default=5, gt=0, le=3600)


@lru_cache
def get_settings() -> Settings:
    return Settings()
