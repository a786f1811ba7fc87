# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the base needs to know of a product, given by the product's home (VPC in vpc.py, CBN in cen.py, CR in cr.py, STS in sts.py)."""

from __future__ import annotations

import typing as t


class Product(t.NamedTuple):
    """One Alibaba Cloud product as the base needs it; each product's home module defines its one constant."""
    name: str                  # short name, as in messages and the twin: "vpc"
    package: str               # Python package of the SDK
    requirement: str           # its name on PyPI
    endpoint: str | None       # None: let the SDK pick the regional/central endpoint (its own endpoint map)
    needs_region: bool         # its client must be built for a region
    # Actions that change nothing in the cloud although their name is not a read's (STS AssumeRole): allowed in check mode
    safe_writes: tuple = ()
    # The product's own error rule for an HTTP 200 answer: (action, body) -> raise AlicloudApiError, or None
    check_answer: t.Callable[[str, dict], None] | None = None
    # Codes by which the product says "busy with another change, try again" (CBN Operation.Blocking, VPC OperationConflict):
    # every read of the product retries them (a read changes nothing, so sending it again is always safe); writes pass
    # their own API's list as extra_codes, since for a write the same code may mean something else.
    busy_codes: tuple = ()


# How the API names the actions that only read (every product: DescribeVpcs, ListTransitRouters, GetInstance...).
READ_PREFIXES = ("Describe", "List", "Get", "Query", "Check")


def is_write(action: str, safe_writes: t.Iterable[str] = ()) -> bool:
    """True for an action that changes the cloud: every name the API does not use for reads, unless the product says it is safe."""
    return not action.startswith(READ_PREFIXES) and action not in safe_writes
