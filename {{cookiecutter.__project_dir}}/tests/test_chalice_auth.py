"""ChaliceAuth's guards on an app of their own: scopes, groups, and the handler's current user."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chalice import Chalice
from chalice.test import Client

from {{ cookiecutter.project_slug }}_auth import ChaliceAuth, JwksCache, TokenVerifier, UserPool
from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.user_tokens import Tokens

pytestmark = pytest.mark.integration


def _app(resources: StageResources, region: str) -> tuple[Chalice, ChaliceAuth]:
    app = Chalice(app_name="guards")
    pool = UserPool(region, resources.outputs["UserPoolId"],
                    frozenset({resources.outputs["UserPoolClientId"]}))  # fmt: skip
    verifier = TokenVerifier(pool, JwksCache(pool.jwks_url()))
    auth = ChaliceAuth(app, verifier=lambda: verifier)

    @app.route("/signin-scope")
    @auth.required(scopes=["aws.cognito.signin.user.admin"])
    def with_cognito_scope() -> dict[str, str]:
        return {"user": auth.user().username}

    @app.route("/write-scope")
    @auth.required(scopes=["records/write"])
    def with_custom_scope() -> dict[str, str]:
        return {"user": auth.user().username}

    @app.route("/staff")
    @auth.required(groups=["admins", "staff"])
    def staff_only() -> dict[str, list[str]]:
        return {"groups": sorted(auth.user().groups)}

    return app, auth


def test_scopes_and_groups_decide_between_200_and_403(
    project: ProjectConfig, shared_stage: StageResources, pool_user: Callable[..., Tokens]
) -> None:
    app, auth = _app(shared_stage, project.region)
    admin = pool_user("admins")
    member = pool_user()
    with Client(app) as client:

        def get(path: str, tokens: Tokens) -> tuple[int, str]:
            response = client.http.get(
                path, headers={"Authorization": f"Bearer {tokens.access_token}"}
            )
            return response.status_code, response.headers.get("WWW-Authenticate", "")

        assert get("/signin-scope", member)[0] == 200
        status, challenge = get("/write-scope", admin)
        assert status == 403
        assert 'error="insufficient_scope", scope="records/write"' in challenge
        assert get("/staff", admin)[0] == 200
        assert get("/staff", member)[0] == 403
    with pytest.raises(RuntimeError, match="outside a route"):
        auth.user()
