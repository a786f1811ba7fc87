# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read every page of a list call: the classic PageNumber/PageSize paging and NextToken paging.

Each product spells the page-size key of NextToken paging its own way (VPC ``MaxResult``,
CBN ``MaxResults``), so the caller names it.
"""

from __future__ import annotations

import typing as t

from .common import unwrap_list


def number_pages(module: t.Any, product: str, action: str, params: dict, items: tuple, page_size: int,
                 region: str | None = None) -> list:
    """All items of a PageNumber/PageSize list call."""
    found: list = []
    page = 1
    while True:
        body = module.call(product, action, dict(params, PageNumber=page, PageSize=page_size), region=region)
        batch = unwrap_list(body, *items)
        found.extend(batch)
        total = body.get("TotalCount")
        if len(batch) < page_size or (total is not None and len(found) >= int(total)):
            return found
        page += 1


def token_pages(module: t.Any, product: str, action: str, params: dict, items: tuple, size_key: str, page_size: int,
                region: str | None = None) -> list:
    """All items of a NextToken list call (``size_key``: the product's MaxResult / MaxResults)."""
    found: list = []
    token = None
    seen = set()
    while True:
        body = module.call(product, action, dict(params, NextToken=token, **{size_key: page_size}), region=region)
        found.extend(unwrap_list(body, *items))
        token = body.get("NextToken") or None
        if token is None or token in seen:  # a repeated token would loop for ever
            return found
        seen.add(token)
