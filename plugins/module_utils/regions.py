# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The region ids of Alibaba Cloud this collection knows, in one place (standard library only).

Source: the OSS page "Regions and endpoints" / 地域和Endpoint (https://help.aliyun.com/zh/oss/user-guide/regions-and-endpoints
and https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints), read on REGIONS_RETRIEVED. It lists every
public-cloud region (32), and apart from them the finance cloud and the government cloud. The same page gives the OSS VIP
ranges of oss.py. India (Mumbai) ap-south-1 and Australia (Sydney) ap-southeast-2 are closed and left out.

The SDKs build an endpoint from any region id (``vpc.<region>.aliyuncs.com``), so a typo only shows as a host name that
does not resolve, after retries: client.py checks the region against this list first and names the closest known id.
"""

from __future__ import annotations

import difflib

REGIONS_SOURCE = "Alibaba Cloud's OSS page \"Regions and endpoints\""
REGIONS_RETRIEVED = "2026-12-03"

PUBLIC_REGIONS = (
    # Asia Pacific - China
    "cn-hangzhou", "cn-shanghai", "cn-nanjing", "cn-fuzhou", "cn-wuhan-lr", "cn-qingdao", "cn-beijing", "cn-zhangjiakou",
    "cn-huhehaote", "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-zhongwei", "cn-hongkong",
    # Asia Pacific - others
    "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "ap-southeast-8",
    # Europe and Americas
    "eu-central-1", "eu-west-1", "eu-west-2", "us-west-1", "us-east-1", "na-south-1",
    # Middle East
    "me-east-1", "me-central-1",
)
FINANCE_REGIONS = ("cn-hangzhou-finance", "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-beijing-finance-1")
GOVERNMENT_REGIONS = ("cn-north-2-gov-1",)
KNOWN_REGIONS = frozenset(PUBLIC_REGIONS + FINANCE_REGIONS + GOVERNMENT_REGIONS)

# difflib's ratio: cn-hangzou / cn-hangzhou is 0.95, cn-shangai / cn-shanghai 0.95, us-west1 / us-west-1 0.94;
# below 0.8 a guess ("ap-southeast-9" for "eu-west-3"?) would mislead more than help.
_SUGGESTION_CUTOFF = 0.8


def is_known_region(region: str) -> bool:
    return region in KNOWN_REGIONS


def closest_region(region: str) -> str | None:
    """The known region id most like ``region`` (a typo's likely meaning), or None when none is close."""
    text = (region or "").strip().lower().replace("_", "-")
    if text in KNOWN_REGIONS:
        return text  # only the case or the separator was wrong
    found = difflib.get_close_matches(text, sorted(KNOWN_REGIONS), n=1, cutoff=_SUGGESTION_CUTOFF)
    return found[0] if found else None


def unknown_region_problem(region: str) -> str:
    """What to say about a region id that is not known: the likely id, else examples; and where the list comes from."""
    guess = closest_region(region)
    hint = "did you mean %s?" % guess if guess else "give a region id such as cn-hangzhou or ap-southeast-1"
    return "%s is not an Alibaba Cloud region id: %s (known: the regions of %s, read %s)" % (
        region, hint, REGIONS_SOURCE, REGIONS_RETRIEVED)
