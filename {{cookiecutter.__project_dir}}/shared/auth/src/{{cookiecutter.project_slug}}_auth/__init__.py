"""Authentication shared by every service: Cognito user-pool tokens, verified as AWS documents.

`TokenVerifier` checks a token against a `UserPool` with keys from a `JwksCache`;
`ChaliceAuth` guards routes with it and hands handlers a typed `CurrentUser`.
"""

from .bearer import AuthenticationError, bearer_token
from .chalice_auth import ChaliceAuth
from .jwks import JwksCache, JwksUnavailable, UnknownKey
from .jwt_verifier import InvalidToken, TokenUse, TokenVerifier
from .rs256 import RsaPublicKey
from .token_cache import VerifiedTokens
from .user import CurrentUser
from .user_pool import UserPool

__all__ = [
    "AuthenticationError",
    "ChaliceAuth",
    "CurrentUser",
    "InvalidToken",
    "JwksCache",
    "JwksUnavailable",
    "RsaPublicKey",
    "TokenUse",
    "TokenVerifier",
    "UnknownKey",
    "UserPool",
    "VerifiedTokens",
    "bearer_token",
]
