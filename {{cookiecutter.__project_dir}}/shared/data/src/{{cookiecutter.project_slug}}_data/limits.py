"""What a stored record may hold: DynamoDB's documented limits, and the service's own.

Every service refuses a request that breaks one of these with a 400 naming it, and
describes them in its openapi.yaml under `x-limits` (a test holds the two equal).
DynamoDB's figures are from "Service, account, and table quotas in Amazon DynamoDB"
and "Supported data types": numbers carry up to 38 significant digits between
1E-130 and 9.9999999999999999999999999999999999999E+125 in magnitude (or are 0);
documents nest at most 32 levels; attribute and map-key names are at least one
character; an item is at most 400 KB; a partition key value at most 2,048 bytes.
"""

from __future__ import annotations

import re

# DynamoDB's own limits.
NUMBER_MAX_SIGNIFICANT_DIGITS = 38
NUMBER_MAX_EXPONENT = 125  # the largest magnitude is 9.99…E+125: adjusted exponent 125
NUMBER_MIN_EXPONENT = -130  # the smallest non-zero magnitude is 1E-130
MAX_NESTING_LEVELS = 32
MIN_KEY_LENGTH = 1

# The services' own, chosen inside DynamoDB's.
# A record's body is its `data` attribute: the body's top object is DynamoDB's first
# level, so objects and arrays nest inside it down to the 32nd.
MAX_BODY_DEPTH = MAX_NESTING_LEVELS
# Far below the 400 KB item, leaving room for the bookkeeping attributes and for
# the change-log and search copies a record's stream feeds.
MAX_BODY_BYTES = 64 * 1024
# A batch request: up to 100 records (4 BatchWriteItem calls), each within
# MAX_BODY_BYTES, the whole well inside Lambda's 6 MB request payload.
MAX_BATCH_ITEMS = 100
MAX_BATCH_BODY_BYTES = 1024 * 1024
# Ids are path segments: URL-safe letters only, so no client rewrites them ("." and
# ".." are normalised away by browsers), and far below the 2,048-byte key limit.
RECORD_ID_PATTERN = "^[A-Za-z0-9_-]{1,128}$"
# Versions count writes from 1; 18 digits stay below 2**63 for every client language.
MAX_VERSION_DIGITS = 18
# A page token is base64url of the last key: bounded by the id's length.
PAGE_TOKEN_PATTERN = "^[A-Za-z0-9_-]{1,256}$"  # noqa: S105 (a pagination cursor, no secret)

_RECORD_ID = re.compile(RECORD_ID_PATTERN)
_PAGE_TOKEN = re.compile(PAGE_TOKEN_PATTERN)


def is_record_id(value: str) -> bool:
    """Whether `value` can name a record (RECORD_ID_PATTERN)."""
    return _RECORD_ID.fullmatch(value) is not None


def is_page_token(value: str) -> bool:
    """Whether `value` has the shape of a page token this package issues."""
    return _PAGE_TOKEN.fullmatch(value) is not None


def described_limits() -> dict[str, int | str]:
    """The limits as each openapi.yaml states them under `x-limits`."""
    return {
        "body_max_bytes": MAX_BODY_BYTES,
        "body_max_depth": MAX_BODY_DEPTH,
        "batch_max_items": MAX_BATCH_ITEMS,
        "batch_body_max_bytes": MAX_BATCH_BODY_BYTES,
        "key_min_length": MIN_KEY_LENGTH,
        "number_max_significant_digits": NUMBER_MAX_SIGNIFICANT_DIGITS,
        "number_max_exponent": NUMBER_MAX_EXPONENT,
        "number_min_exponent": NUMBER_MIN_EXPONENT,
        "record_id_pattern": RECORD_ID_PATTERN,
        "page_token_pattern": PAGE_TOKEN_PATTERN,
        "version_max_digits": MAX_VERSION_DIGITS,
    }
