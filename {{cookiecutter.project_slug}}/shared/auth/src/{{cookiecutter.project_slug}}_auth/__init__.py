"""Authentication shared by every service.

Token verification against the stage's Cognito user pool comes with the auth work;
this package already owns the request side: reading the bearer token and the type
every handler receives for the signed-in user.
"""

from .bearer import AuthenticationError, bearer_token
from .user import CurrentUser

__all__ = ["AuthenticationError", "CurrentUser", "bearer_token"]
