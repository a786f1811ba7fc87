# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal OSS endpoints and VIP ranges per region (the column "Internal VIP CIDR blocks" / 内网VIP网段 of the OSS page
"Regions and endpoints" / 地域和Endpoint, formerly its own page "Internal OSS endpoints and VIP ranges").

Pure data and standard library only. The OSS VIP that a ping returns moves within the published ranges, so
routes should cover the ranges, not the one address seen once. When the page changes before this table does,
``oss_vip_ranges`` (registry_access_plan) overrides it.
"""

from __future__ import annotations

import ipaddress
import re

VIP_TABLE_SOURCE = ("Alibaba Cloud OSS \"Regions and endpoints\", column \"Internal VIP CIDR blocks\" "
                    "(https://help.aliyun.com/zh/oss/user-guide/regions-and-endpoints, "
                    "https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints)")
VIP_TABLE_RETRIEVED = "2026-12-03"

# Every public-cloud region of the page (32), each block exactly as published, in the page's order. Notes from the read:
# - No version of the page writes a span ("A/24 - B/24"): each block is listed on its own.
# - cn-zhongwei and ap-southeast-8 are published with the same block 100.115.157.0/27 (likely an error of the page).
# - cn-nanjing and cn-fuzhou are marked as closing down; me-central-1 is a partner region, listed on alibabacloud.com only;
#   cn-fuzhou and cn-wuhan-lr on help.aliyun.com only; cn-zhongwei, ap-southeast-8 and eu-west-2 in its latest version only.
# - Apart from the table: the finance cloud (its own endpoints, partly /32 VIPs) and the government cloud (no VIP ranges:
#   不支持), and the closed ap-south-1 and ap-southeast-2. Their registries get the oss_vip_ranges_unknown finding.
_PUBLISHED_VIP_RANGES = {
    "cn-hangzhou": ("100.118.28.0/24", "100.114.102.0/24", "100.98.170.0/24", "100.118.31.0/24"),
    "cn-shanghai": ("100.98.35.0/24", "100.98.110.0/24", "100.98.169.0/24", "100.118.102.0/24"),
    "cn-nanjing": ("100.114.142.0/24",),
    "cn-fuzhou": ("100.115.21.0/24",),
    "cn-wuhan-lr": ("100.115.89.0/24",),
    "cn-qingdao": ("100.115.173.0/24", "100.99.113.0/24", "100.99.114.0/24", "100.99.115.0/24"),
    "cn-beijing": ("100.118.58.0/24", "100.118.167.0/24", "100.118.170.0/24", "100.118.171.0/24", "100.118.172.0/24",
                   "100.118.173.0/24"),
    "cn-zhangjiakou": ("100.118.90.0/24", "100.98.159.0/24", "100.114.0.0/24", "100.114.1.0/24"),
    "cn-huhehaote": ("100.118.195.0/24", "100.99.110.0/24", "100.99.111.0/24", "100.99.112.0/24"),
    "cn-wulanchabu": ("100.114.11.0/24", "100.114.12.0/24", "100.114.100.0/24", "100.118.214.0/24"),
    "cn-shenzhen": ("100.118.78.0/24", "100.118.203.0/24", "100.118.204.0/24", "100.118.217.0/24"),
    "cn-heyuan": ("100.98.83.0/24", "100.118.174.0/24"),
    "cn-guangzhou": ("100.115.33.0/24", "100.114.101.0/24"),
    "cn-chengdu": ("100.115.155.0/24", "100.99.107.0/24", "100.99.108.0/24", "100.99.109.0/24"),
    "cn-zhongwei": ("100.115.157.0/27",),
    "cn-hongkong": ("100.115.61.0/24", "100.99.103.0/24", "100.99.104.0/24", "100.99.106.0/24"),
    "ap-northeast-1": ("100.114.211.0/24", "100.114.114.0/25"),
    "ap-northeast-2": ("100.99.119.0/24",),
    "ap-southeast-1": ("100.118.219.0/24", "100.99.213.0/24", "100.99.116.0/24", "100.99.117.0/24"),
    "ap-southeast-3": ("100.118.165.0/24", "100.99.125.0/24", "100.99.130.0/24", "100.99.131.0/24"),
    "ap-southeast-5": ("100.114.98.0/24",),
    "ap-southeast-6": ("100.115.16.0/24",),
    "ap-southeast-7": ("100.98.249.0/24",),
    "ap-southeast-8": ("100.115.157.0/27",),
    "eu-central-1": ("100.115.154.0/24",),
    "eu-west-1": ("100.114.114.128/25",),
    "eu-west-2": ("100.115.159.0/27",),
    "us-west-1": ("100.115.107.0/24",),
    "us-east-1": ("100.115.60.0/24", "100.99.100.0/24", "100.99.101.0/24", "100.99.102.0/24"),
    "na-south-1": ("100.115.112.0/27",),
    "me-east-1": ("100.99.235.0/24",),
    "me-central-1": ("100.99.121.0/24",),
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
    """``"A/n"`` -> ``["A/n"]``; ``"A/n - B/n"`` -> every /n network from A to B inclusive (older versions of the page
    printed spans; a block copied from one still reads right)."""
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
