# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal OSS endpoints and VIP ranges per region (the public table "Internal OSS endpoints and VIP ranges").

Pure data and standard library only. The OSS VIP that a ping returns moves within the published ranges, so
routes should cover the ranges, not the one address seen once.
"""

from __future__ import annotations

import ipaddress
import re

# The published table, as printed: a range written "A/24 - B/24" means every /24 from A to B.
_PUBLISHED_VIP_RANGES = {
    "cn-hangzhou": ("100.118.28.0/24", "100.114.102.0/24", "100.98.170.0/24", "100.118.31.0/24"),
    "cn-shanghai": ("100.98.35.0/24", "100.98.110.0/24", "100.98.169.0/24", "100.118.102.0/24"),
    "cn-qingdao": ("100.115.173.0/24", "100.99.113.0/24", "100.99.114.0/24", "100.99.115.0/24"),
    "cn-beijing": ("100.118.58.0/24", "100.118.167.0/24", "100.118.170.0/24 - 100.118.173.0/24"),
}

_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
# OSS bucket names: 3-63 characters, lower-case letters, digits and hyphens, not starting or ending with a hyphen.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def _check_region(region: str) -> str:
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise ValueError("invalid region %r: expected an Alibaba Cloud region id such as cn-hangzhou" % (region,))
    return region


def oss_domain(region: str, bucket: str | None = None) -> str:
    """The internal (VPC) OSS domain of a region, or of one bucket in it."""
    domain = "oss-%s-internal.aliyuncs.com" % _check_region(region)
    if bucket is None:
        return domain
    if not isinstance(bucket, str) or not _BUCKET_RE.match(bucket):
        raise ValueError("invalid OSS bucket name %r: 3-63 lower-case letters, digits and hyphens" % (bucket,))
    return "%s.%s" % (bucket, domain)


def expand_range(text: str) -> list:
    """``"A/n"`` -> ``["A/n"]``; ``"A/n - B/n"`` -> every /n network from A to B inclusive."""
    parts = [part.strip() for part in text.split(" - ")]
    if len(parts) == 1:
        return [str(ipaddress.ip_network(parts[0]))]
    if len(parts) != 2:
        raise ValueError("invalid VIP range %r: expected 'A/n' or 'A/n - B/n'" % text)
    first, last = (ipaddress.ip_network(part) for part in parts)
    if first.prefixlen != last.prefixlen or first.network_address > last.network_address:
        raise ValueError("invalid VIP range %r: both ends need the same prefix length, the first one lower" % text)
    step = first.num_addresses
    count = (int(last.network_address) - int(first.network_address)) // step + 1
    return [str(ipaddress.ip_network((int(first.network_address) + index * step, first.prefixlen))) for index in range(count)]


def known_regions() -> list:
    """Regions with published VIP ranges, sorted."""
    return sorted(_PUBLISHED_VIP_RANGES)


def vip_ranges(region: str) -> list:
    """The published OSS VIP ranges of a region as CIDR strings (empty when the table has none for it)."""
    ranges = []
    for text in _PUBLISHED_VIP_RANGES.get(_check_region(region), ()):
        ranges.extend(expand_range(text))
    return ranges


def in_vip_ranges(region: str, ip: str) -> bool:
    """Whether an address lies in the region's published OSS VIP ranges."""
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(cidr) for cidr in vip_ranges(region))
