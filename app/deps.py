"""Dependencies shared by the HTML routes and the API, as named Annotated aliases."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from sqlmodel import Session

from app.config import Settings
from app.db import Database
from app.domain.access import Actor
from app.domain.accounts import actor_of, user_for_session
from app.domain.accounts.links import LinkPolicy
from app.mail.compose import Composer
from app.models import User
from app.security.api_request import is_api_request
from app.security.csrf import SESSION_COOKIE

# The dependencies that only read what is in hand are ``async def``: FastAPI runs a plain ``def``
# dependency in the thread pool, and each such hop cost more CPU than the work (issue 17).


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_read_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with database.read() as session:
        yield session


async def now() -> datetime:
    return datetime.now(UTC)


class LoginRequired(Exception):
    """Raised for a page that needs a user; HTML routes turn it into a redirect to the log-in."""


def get_optional_user(request: Request, database: Annotated[Database, Depends(get_database)]) -> User | None:
    # Its own short read, so a save's write transaction never waits on the session check.
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with database.read() as session:
        user = user_for_session(session, token, now=datetime.now(UTC))
    request.state.user = user
    return user


async def get_current_user(request: Request, user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    if user is None:
        if is_api_request(request.url.path):
            raise HTTPException(401, "Log ind først.")
        raise LoginRequired()
    return user


async def get_actor(user: Annotated[User, Depends(get_current_user)]) -> Actor:
    return actor_of(user)


async def client_ip(request: Request) -> str:
    """The client's address for throttling and the audit log (as uvicorn resolved it)."""
    return request.client.host if request.client else "?"


async def link_policy(settings: Annotated[Settings, Depends(get_settings_dep)]) -> LinkPolicy:
    return LinkPolicy(
        invitation_lifetime=timedelta(hours=settings.invitation_link_hours),
        reset_lifetime=timedelta(hours=settings.reset_link_hours),
        resets_per_email=settings.resets_per_email_per_hour,
        resets_per_address=settings.resets_per_address_per_hour,
        invitations_per_actor=settings.invitations_per_hour,
    )


async def get_composer(settings: Annotated[Settings, Depends(get_settings_dep)]) -> Composer:
    """Renders the mails that domain commands queue (links point at FREMDRIFT_PUBLIC_URL)."""
    return Composer(settings.public_url)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ReadSession = Annotated[Session, Depends(get_read_session)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
Now = Annotated[datetime, Depends(now)]
ClientIp = Annotated[str, Depends(client_ip)]
LinkPolicyDep = Annotated[LinkPolicy, Depends(link_policy)]

# Every integer in a URL path: ids, municipality codes and years. Bounded so that no value can
# overflow the database's integer (PostgreSQL's is 32 bits, SQLite's 64) and turn into a 500.
MAX_PATH_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_PATH_ID, description="Et id eller en kommunekode (et positivt heltal).")]
PathYear = Annotated[int, Path(ge=2000, le=2100, description="Året (2000-2100).")]
MailComposer = Annotated[Composer, Depends(get_composer)]
