"""Who am I: for scripts that share the browser session and need its CSRF token."""

from fastapi import APIRouter, Request

from app.api.schemas import MeOut
from app.deps import CurrentUser

router = APIRouter(tags=["konto"])


@router.get("/me")
def me(request: Request, user: CurrentUser) -> MeOut:
    return MeOut(
        email=user.email,
        name=user.name,
        role=user.role,
        kkr_id=user.kkr_id,
        municipality_code=user.municipality_code,
        csrf_token=request.scope.get("state", {}).get("csrf_token", ""),
    )
