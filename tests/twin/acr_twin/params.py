"""Typed, validating access to a request's parameters, as the cloud validates them."""

import ipaddress
import json
import re

from acr_twin.errors import ApiError, invalid, missing

_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")


class Params:
    """The flat ``Name`` / ``Name.N.Field`` parameters of one RPC request."""

    def __init__(self, raw, action, product, caller=None):
        self.raw = dict(raw)
        self.action = action
        self.product = product
        # Who signed the request: {"access_key_id", "temporary", "expires_in" (seconds, temporary keys only)}.
        self.caller = caller or {"access_key_id": None, "temporary": False, "expires_in": None}

    def __contains__(self, name):
        return name in self.raw

    def str(self, name, default=None, required=False, choices=None, pattern=None):
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise missing(name)
            return default
        if choices is not None and value not in choices:
            raise ApiError("InvalidParameter", 'The parameter "%s" must be one of %s, not %r.' % (name, ", ".join(choices), value))
        if pattern is not None and not re.fullmatch(pattern, value):
            raise invalid(name, value)
        return value

    def required(self, name, **kwargs):
        return self.str(name, required=True, **kwargs)

    def int(self, name, default=None, minimum=None, maximum=None, required=False):
        value = self.str(name, required=required)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise invalid(name, value)
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise ApiError("InvalidParameter", 'The parameter "%s" must be between %s and %s, not %s.' % (name, minimum, maximum, number))
        return number

    def bool(self, name, default=None):
        value = self.str(name)
        if value is None:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise invalid(name, value)

    def json(self, name, default=None, required=False):
        value = self.str(name, required=required)
        if value is None:
            return default
        try:
            return json.loads(value)
        except ValueError:
            raise invalid(name, value)

    def cidr(self, name, required=False, code="InvalidDestinationCidrBlock"):
        value = self.str(name, required=required)
        if value is None:
            return None
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError:
            raise ApiError(code, 'The specified CIDR block "%s" is invalid.' % value)
        return str(network)

    def str_list(self, name):
        """``Name.1``, ``Name.2``, ... in index order."""
        items = []
        prefix = name + "."
        for key, value in self.raw.items():
            rest = key[len(prefix):] if key.startswith(prefix) else None
            if rest is not None and rest.isdigit():
                items.append((int(rest), value))
        return [value for _index, value in sorted(items)]

    def list(self, name, fields):
        """``Name.N.Field`` -> list of dicts in index order (missing fields -> None)."""
        rows = {}
        prefix = name + "."
        for key, value in self.raw.items():
            if not key.startswith(prefix):
                continue
            index, _dot, field = key[len(prefix):].partition(".")
            if index.isdigit() and field in fields:
                rows.setdefault(int(index), {})[field] = value
        return [dict((field, row.get(field)) for field in fields) for _index, row in sorted(rows.items())]

    def filters(self, name="Filter"):
        """CBN's ``Filter.N.Key`` + ``Filter.N.Value.M`` -> {key: [values]}."""
        found = {}
        prefix = name + "."
        for key in self.raw:
            if key.startswith(prefix) and key.endswith(".Key"):
                index = key[len(prefix):-len(".Key")]
                values = self.str_list("%s%s.Value" % (prefix, index))
                found.setdefault(self.raw[key], []).extend(values)
        return found

    def region(self, required=True):
        return self.str("RegionId", required=required)

    def client_token(self):
        return self.str("ClientToken")

    def dry_run(self):
        return self.bool("DryRun", default=False)
