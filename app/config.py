"""Settings, read from the environment (and nowhere else in the code)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"
STATIC_DIR = PROJECT_DIR / "static"
SEED_DIR = PROJECT_DIR / "seed"
MIGRATIONS_DIR = PROJECT_DIR / "migrations"


class Settings(BaseSettings):
    """Everything an operator can set. Environment variables win over the defaults."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_DIR / 'fremdrift.db'}",
        description="SQLAlchemy URL; SQLite file by default, PostgreSQL in production.",
    )
    secret_key: str = Field(
        default="dev-only-secret-change-me",
        description="Signs nothing secret-bearing, but seeds CSRF tokens; set it in production.",
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 14)
    # Set when the app is served over https (directly or behind a proxy): cookies become Secure.
    https: bool = Field(default=False, alias="FREMDRIFT_HTTPS")
    # Shows a banner that all statuses are fictional; set by `fremdrift demo`.
    demo: bool = Field(default=False, alias="FREMDRIFT_DEMO")
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
