# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read every page of a list call: numbered pages (VPC and CBN ``PageNumber``, CR ``PageNo``) and NextToken paging.

Each product spells its paging keys its own way (the page number: ``PageNumber`` or CR's ``PageNo``; the page
size of NextToken paging: VPC ``MaxResult``, CBN ``MaxResults``), so the caller names them.
"""

from __future__ import annotations

import typing as t

from .common import unwrap_list
from .product import Product


def number_pages(module: t.Any, product: Product, action: str, params: dict, items: tuple, page_size: int,
                 region: str | None = None, page_key: str = "PageNumber", send: t.Callable[[dict], dict] | None = None) -> list:
    """All items of a numbered-page list call (``page_key``/PageSize, with or without TotalCount).

    ``send(params)`` sends one page; the default is ``module.call(product, action, params, region=region)``
    (CR passes its ``cr_call``, which words CR's error codes).
    """
    def send_page(page_params: dict) -> dict:
        if send is not None:
            return send(page_params)
        return module.call(product, action, page_params, region=region)

    found: list = []
    page = 1
    while True:
        body = send_page(dict(params, PageSize=page_size, **{page_key: page}))
        batch = unwrap_list(body, *items)
        found.extend(batch)
        total = body.get("TotalCount")
        if len(batch) < page_size or (total is not None and len(found) >= int(total)):
            return found
        page += 1


def token_pages(module: t.Any, product: Product, action: str, params: dict, items: tuple, size_key: str, page_size: int,
                region: str | None = None, deadline: float | None = None) -> list:
    """All items of a NextToken list call (``size_key``: the product's MaxResult / MaxResults).

    ``deadline``: seconds within which each page's call retries throttling (a waiter's read passes what is left of its wait).
    """
    found: list = []
    token = None
    seen = set()
    while True:
        body = module.call(product, action, dict(params, NextToken=token, **{size_key: page_size}), region=region, deadline=deadline)
        found.extend(unwrap_list(body, *items))
        token = body.get("NextToken") or None
        if token is None or token in seen:  # a repeated token would loop for ever
            return found
        seen.add(token)
