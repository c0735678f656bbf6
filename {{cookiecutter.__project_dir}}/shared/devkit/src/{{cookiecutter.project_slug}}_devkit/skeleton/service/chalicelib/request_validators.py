"""Request validators of this service, generated from its openapi.yaml: do not edit.

`invoke api.validators` writes this file again, and `invoke lint` fails while it differs from
what the document gives. chalicelib/contract.py runs these before each route's code.
Compiled by fastjsonschema ahead of time: a cold start reads and compiles no schema and
imports no package for it.
"""

# ruff: noqa
# fmt: off
# mypy: ignore-errors
VERSION = "2.22.3"
from decimal import Decimal
import re
from typing import Any


class JsonSchemaValueException(ValueError):
    """A request part breaks the document; `message` names the part and the rule."""

    def __init__(self, message, value=None, name=None, definition=None, rule=None):
        super().__init__(message)
        self.message, self.value, self.name = message, value, name
        self.definition, self.rule = definition, rule


JsonSchemaValuesException = JsonSchemaValueException


REGEX_PATTERNS = {
    '^[A-Za-z0-9_-]{1,128}$': re.compile('^[A-Za-z0-9_-]{1,128}\\Z'),
    '^(\\*|(W/)?"[0-9]{1,18}")$': re.compile('^(\\*|(W/)?"[0-9]{1,18}")\\Z'),
    '\\S': re.compile('\\S'),
    '^[A-Za-z0-9_-]{1,512}$': re.compile('^[A-Za-z0-9_-]{1,512}\\Z'),
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': re.compile('^[0-9]{4}-[0-9]{2}-[0-9]{2}\\Z'),
    'date_re_pattern': re.compile('^(?:\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))|(?:\\d\\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)\\Z'),
    '^[!-~]{1,255}$': re.compile('^[!-~]{1,255}\\Z'),
    '^[A-Za-z0-9_-]{1,256}$': re.compile('^[A-Za-z0-9_-]{1,256}\\Z')
}

NoneType = type(None)

def validate(data, custom_formats={}, name_prefix=None):
    validate___operations_me__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_me__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_me__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_list__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_list__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_list__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_create__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_create__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_create__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_create__service___body(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_createbatch__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_createbatch__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_createbatch__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_createbatch__service___body(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_dailycounts__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_dailycounts__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_dailycounts__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_search__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_search__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_search__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_get__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_get__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_get__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_replace__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_replace__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_replace__service___header(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_replace__service___body(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_delete__service___query(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_delete__service___path(data, custom_formats, (name_prefix or "data") + "")
    validate___operations_delete__service___header(data, custom_formats, (name_prefix or "data") + "")
    return data

def validate___operations_delete__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_delete__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['record_id']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='required')
        data_keys = set(data.keys())
        if "record_id" in data_keys:
            data_keys.remove("record_id")
            data__recordid = data["record_id"]
            if not isinstance(data__recordid, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".record_id must be string", value=data__recordid, name="" + (name_prefix or "data") + ".record_id", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}, rule='type')
            if isinstance(data__recordid, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_-]{1,128}$'].search(data__recordid):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".record_id must match pattern ^[A-Za-z0-9_-]{1,128}$", value=data__recordid, name="" + (name_prefix or "data") + ".record_id", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_delete__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_replace__service___body(data, custom_formats={}, name_prefix=None):
    validate___definitions_data(data, custom_formats, (name_prefix or "data") + "")
    return data

def validate___definitions_data(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_replace__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'If-Match': {'type': 'string', 'pattern': '^(\\*|(W/)?"[0-9]{1,18}")$'}}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "If-Match" in data_keys:
            data_keys.remove("If-Match")
            data__IfMatch = data["If-Match"]
            if not isinstance(data__IfMatch, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".If-Match must be string", value=data__IfMatch, name="" + (name_prefix or "data") + ".If-Match", definition={'type': 'string', 'pattern': '^(\\*|(W/)?"[0-9]{1,18}")$'}, rule='type')
            if isinstance(data__IfMatch, str):
                if not REGEX_PATTERNS['^(\\*|(W/)?"[0-9]{1,18}")$'].search(data__IfMatch):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".If-Match must match pattern ^(\\*|(W/)?\"[0-9]{1,18}\")$", value=data__IfMatch, name="" + (name_prefix or "data") + ".If-Match", definition={'type': 'string', 'pattern': '^(\\*|(W/)?"[0-9]{1,18}")$'}, rule='pattern')
    return data

def validate___operations_replace__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['record_id']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='required')
        data_keys = set(data.keys())
        if "record_id" in data_keys:
            data_keys.remove("record_id")
            data__recordid = data["record_id"]
            if not isinstance(data__recordid, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".record_id must be string", value=data__recordid, name="" + (name_prefix or "data") + ".record_id", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}, rule='type')
            if isinstance(data__recordid, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_-]{1,128}$'].search(data__recordid):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".record_id must match pattern ^[A-Za-z0-9_-]{1,128}$", value=data__recordid, name="" + (name_prefix or "data") + ".record_id", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_replace__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_get__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_get__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['record_id']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='required')
        data_keys = set(data.keys())
        if "record_id" in data_keys:
            data_keys.remove("record_id")
            data__recordid = data["record_id"]
            if not isinstance(data__recordid, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".record_id must be string", value=data__recordid, name="" + (name_prefix or "data") + ".record_id", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}, rule='type')
            if isinstance(data__recordid, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_-]{1,128}$'].search(data__recordid):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".record_id must match pattern ^[A-Za-z0-9_-]{1,128}$", value=data__recordid, name="" + (name_prefix or "data") + ".record_id", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'record_id': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,128}$'}}, 'required': ['record_id'], 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_get__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_search__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_search__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_search__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'q': {'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, 'limit': {'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, 'next_token': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,512}$'}}, 'required': ['q'], 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['q']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'q': {'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, 'limit': {'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, 'next_token': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,512}$'}}, 'required': ['q'], 'additionalProperties': False}, rule='required')
        data_keys = set(data.keys())
        if "q" in data_keys:
            data_keys.remove("q")
            data__q = data["q"]
            if not isinstance(data__q, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".q must be string", value=data__q, name="" + (name_prefix or "data") + ".q", definition={'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, rule='type')
            if isinstance(data__q, str):
                data__q_len = len(data__q)
                if data__q_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".q must be longer than or equal to 1 characters", value=data__q, name="" + (name_prefix or "data") + ".q", definition={'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, rule='minLength')
                if data__q_len > 256:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".q must be shorter than or equal to 256 characters", value=data__q, name="" + (name_prefix or "data") + ".q", definition={'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, rule='maxLength')
                if not REGEX_PATTERNS['\\S'].search(data__q):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".q must match pattern \\S", value=data__q, name="" + (name_prefix or "data") + ".q", definition={'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, rule='pattern')
        if "limit" in data_keys:
            data_keys.remove("limit")
            data__limit = data["limit"]
            if not isinstance(data__limit, (int)) and not (isinstance(data__limit, float) and data__limit.is_integer()) or isinstance(data__limit, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".limit must be integer", value=data__limit, name="" + (name_prefix or "data") + ".limit", definition={'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, rule='type')
            if isinstance(data__limit, (int, float, Decimal)) and not isinstance(data__limit, bool):
                if data__limit < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".limit must be bigger than or equal to 1", value=data__limit, name="" + (name_prefix or "data") + ".limit", definition={'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, rule='minimum')
                if data__limit > 100:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".limit must be smaller than or equal to 100", value=data__limit, name="" + (name_prefix or "data") + ".limit", definition={'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, rule='maximum')
        else: data["limit"] = 20
        if "next_token" in data_keys:
            data_keys.remove("next_token")
            data__nexttoken = data["next_token"]
            if not isinstance(data__nexttoken, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".next_token must be string", value=data__nexttoken, name="" + (name_prefix or "data") + ".next_token", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,512}$'}, rule='type')
            if isinstance(data__nexttoken, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_-]{1,512}$'].search(data__nexttoken):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".next_token must match pattern ^[A-Za-z0-9_-]{1,512}$", value=data__nexttoken, name="" + (name_prefix or "data") + ".next_token", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,512}$'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'q': {'type': 'string', 'minLength': 1, 'maxLength': 256, 'pattern': '\\S'}, 'limit': {'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, 'next_token': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,512}$'}}, 'required': ['q'], 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_dailycounts__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_dailycounts__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_dailycounts__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'from': {'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'to': {'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "from" in data_keys:
            data_keys.remove("from")
            data__from = data["from"]
            if not isinstance(data__from, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".from must be string", value=data__from, name="" + (name_prefix or "data") + ".from", definition={'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='type')
            if isinstance(data__from, str):
                if not REGEX_PATTERNS['^[0-9]{4}-[0-9]{2}-[0-9]{2}$'].search(data__from):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".from must match pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value=data__from, name="" + (name_prefix or "data") + ".from", definition={'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='pattern')
                if not REGEX_PATTERNS["date_re_pattern"].match(data__from):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".from must be date", value=data__from, name="" + (name_prefix or "data") + ".from", definition={'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='format')
        if "to" in data_keys:
            data_keys.remove("to")
            data__to = data["to"]
            if not isinstance(data__to, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".to must be string", value=data__to, name="" + (name_prefix or "data") + ".to", definition={'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='type')
            if isinstance(data__to, str):
                if not REGEX_PATTERNS['^[0-9]{4}-[0-9]{2}-[0-9]{2}$'].search(data__to):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".to must match pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value=data__to, name="" + (name_prefix or "data") + ".to", definition={'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='pattern')
                if not REGEX_PATTERNS["date_re_pattern"].match(data__to):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".to must be date", value=data__to, name="" + (name_prefix or "data") + ".to", definition={'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='format')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'from': {'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'to': {'type': 'string', 'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_createbatch__service___body(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['items'], 'additionalProperties': False, 'properties': {'items': {'type': 'array', 'minItems': 1, 'maxItems': 100, 'items': {'type': 'object', 'additionalProperties': True}}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['items']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['items'], 'additionalProperties': False, 'properties': {'items': {'type': 'array', 'minItems': 1, 'maxItems': 100, 'items': {'type': 'object', 'additionalProperties': True}}}}, rule='required')
        data_keys = set(data.keys())
        if "items" in data_keys:
            data_keys.remove("items")
            data__items = data["items"]
            if not isinstance(data__items, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".items must be array", value=data__items, name="" + (name_prefix or "data") + ".items", definition={'type': 'array', 'minItems': 1, 'maxItems': 100, 'items': {'type': 'object', 'additionalProperties': True}}, rule='type')
            data__items_is_list = isinstance(data__items, (list, tuple))
            if data__items_is_list:
                data__items_len = len(data__items)
                if data__items_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".items must contain at least 1 items", value=data__items, name="" + (name_prefix or "data") + ".items", definition={'type': 'array', 'minItems': 1, 'maxItems': 100, 'items': {'type': 'object', 'additionalProperties': True}}, rule='minItems')
                if data__items_len > 100:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".items must contain less than or equal to 100 items", value=data__items, name="" + (name_prefix or "data") + ".items", definition={'type': 'array', 'minItems': 1, 'maxItems': 100, 'items': {'type': 'object', 'additionalProperties': True}}, rule='maxItems')
                for data__items_x, data__items_item in enumerate(data__items):
                    validate___definitions_data(data__items_item, custom_formats, (name_prefix or "data") + ".items[{data__items_x}]".format(**locals()))
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['items'], 'additionalProperties': False, 'properties': {'items': {'type': 'array', 'minItems': 1, 'maxItems': 100, 'items': {'type': 'object', 'additionalProperties': True}}}}, rule='additionalProperties')
    return data

def validate___operations_createbatch__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_createbatch__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_createbatch__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_create__service___body(data, custom_formats={}, name_prefix=None):
    validate___definitions_data(data, custom_formats, (name_prefix or "data") + "")
    return data

def validate___operations_create__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'Idempotency-Key': {'type': 'string', 'pattern': '^[!-~]{1,255}$'}}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "Idempotency-Key" in data_keys:
            data_keys.remove("Idempotency-Key")
            data__IdempotencyKey = data["Idempotency-Key"]
            if not isinstance(data__IdempotencyKey, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".Idempotency-Key must be string", value=data__IdempotencyKey, name="" + (name_prefix or "data") + ".Idempotency-Key", definition={'type': 'string', 'pattern': '^[!-~]{1,255}$'}, rule='type')
            if isinstance(data__IdempotencyKey, str):
                if not REGEX_PATTERNS['^[!-~]{1,255}$'].search(data__IdempotencyKey):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".Idempotency-Key must match pattern ^[!-~]{1,255}$", value=data__IdempotencyKey, name="" + (name_prefix or "data") + ".Idempotency-Key", definition={'type': 'string', 'pattern': '^[!-~]{1,255}$'}, rule='pattern')
    return data

def validate___operations_create__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_create__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_list__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_list__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_list__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'limit': {'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, 'next_token': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,256}$'}}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "limit" in data_keys:
            data_keys.remove("limit")
            data__limit = data["limit"]
            if not isinstance(data__limit, (int)) and not (isinstance(data__limit, float) and data__limit.is_integer()) or isinstance(data__limit, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".limit must be integer", value=data__limit, name="" + (name_prefix or "data") + ".limit", definition={'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, rule='type')
            if isinstance(data__limit, (int, float, Decimal)) and not isinstance(data__limit, bool):
                if data__limit < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".limit must be bigger than or equal to 1", value=data__limit, name="" + (name_prefix or "data") + ".limit", definition={'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, rule='minimum')
                if data__limit > 100:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".limit must be smaller than or equal to 100", value=data__limit, name="" + (name_prefix or "data") + ".limit", definition={'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, rule='maximum')
        else: data["limit"] = 20
        if "next_token" in data_keys:
            data_keys.remove("next_token")
            data__nexttoken = data["next_token"]
            if not isinstance(data__nexttoken, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".next_token must be string", value=data__nexttoken, name="" + (name_prefix or "data") + ".next_token", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,256}$'}, rule='type')
            if isinstance(data__nexttoken, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_-]{1,256}$'].search(data__nexttoken):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".next_token must match pattern ^[A-Za-z0-9_-]{1,256}$", value=data__nexttoken, name="" + (name_prefix or "data") + ".next_token", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,256}$'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {'limit': {'type': 'integer', 'minimum': 1, 'maximum': 100, 'default': 20}, 'next_token': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]{1,256}$'}}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_me__service___header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': True}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
    return data

def validate___operations_me__service___path(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data

def validate___operations_me__service___query(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'properties': {}, 'additionalProperties': False}, rule='additionalProperties')
    return data


OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ('GET', '/me'): {
        'query': validate___operations_me__service___query,
        'path': validate___operations_me__service___path,
        'header': validate___operations_me__service___header,
        'body': None,
        'body_required': False,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': (),
        'header_names': (),
    },
    ('GET', '/__service__'): {
        'query': validate___operations_list__service___query,
        'path': validate___operations_list__service___path,
        'header': validate___operations_list__service___header,
        'body': None,
        'body_required': False,
        'types': {'query': {'limit': 'integer'}, 'path': {}, 'header': {}},
        'query_names': ('limit', 'next_token'),
        'header_names': (),
    },
    ('POST', '/__service__'): {
        'query': validate___operations_create__service___query,
        'path': validate___operations_create__service___path,
        'header': validate___operations_create__service___header,
        'body': validate___operations_create__service___body,
        'body_required': True,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': (),
        'header_names': ('Idempotency-Key',),
    },
    ('POST', '/__service__/batch'): {
        'query': validate___operations_createbatch__service___query,
        'path': validate___operations_createbatch__service___path,
        'header': validate___operations_createbatch__service___header,
        'body': validate___operations_createbatch__service___body,
        'body_required': True,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': (),
        'header_names': (),
    },
    ('GET', '/__service__/stats/daily'): {
        'query': validate___operations_dailycounts__service___query,
        'path': validate___operations_dailycounts__service___path,
        'header': validate___operations_dailycounts__service___header,
        'body': None,
        'body_required': False,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': ('from', 'to'),
        'header_names': (),
    },
    ('GET', '/__service__/search'): {
        'query': validate___operations_search__service___query,
        'path': validate___operations_search__service___path,
        'header': validate___operations_search__service___header,
        'body': None,
        'body_required': False,
        'types': {'query': {'limit': 'integer'}, 'path': {}, 'header': {}},
        'query_names': ('q', 'limit', 'next_token'),
        'header_names': (),
    },
    ('GET', '/__service__/{record_id}'): {
        'query': validate___operations_get__service___query,
        'path': validate___operations_get__service___path,
        'header': validate___operations_get__service___header,
        'body': None,
        'body_required': False,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': (),
        'header_names': (),
    },
    ('PUT', '/__service__/{record_id}'): {
        'query': validate___operations_replace__service___query,
        'path': validate___operations_replace__service___path,
        'header': validate___operations_replace__service___header,
        'body': validate___operations_replace__service___body,
        'body_required': True,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': (),
        'header_names': ('If-Match',),
    },
    ('DELETE', '/__service__/{record_id}'): {
        'query': validate___operations_delete__service___query,
        'path': validate___operations_delete__service___path,
        'header': validate___operations_delete__service___header,
        'body': None,
        'body_required': False,
        'types': {'query': {}, 'path': {}, 'header': {}},
        'query_names': (),
        'header_names': (),
    },
}
