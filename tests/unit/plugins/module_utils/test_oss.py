"""The OSS table: internal domains, published VIP ranges of every public-cloud region, spans expanded, membership."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import oss

HANGZHOU = ["100.118.28.0/24", "100.114.102.0/24", "100.98.170.0/24", "100.118.31.0/24"]


@pytest.mark.parametrize("region, bucket, expected", [
    ("cn-hangzhou", None, "oss-cn-hangzhou-internal.aliyuncs.com"),
    ("cn-shanghai", None, "oss-cn-shanghai-internal.aliyuncs.com"),
    ("cn-hangzhou", "my-images", "my-images.oss-cn-hangzhou-internal.aliyuncs.com"),
    ("ap-southeast-1", None, "oss-ap-southeast-1-internal.aliyuncs.com"),  # not in the VIP table, the pattern still holds
])
def test_oss_domain(region, bucket, expected):
    assert oss.oss_domain(region, bucket) == expected


@pytest.mark.parametrize("region, bucket, problem", [
    ("", None, "invalid region"),
    ("CN-HANGZHOU", None, "invalid region"),
    ("cn-hangzhou.evil.com", None, "invalid region"),
    ("cn-hangzhou", "Upper", "invalid OSS bucket"),
    ("cn-hangzhou", "ab", "invalid OSS bucket"),
    ("cn-hangzhou", "-lead", "invalid OSS bucket"),
    ("cn-hangzhou", "a.b", "invalid OSS bucket"),
])
def test_oss_domain_rejects(region, bucket, problem):
    with pytest.raises(ValueError, match=problem):
        oss.oss_domain(region, bucket)


@pytest.mark.parametrize("region, expected", [
    ("cn-hangzhou", HANGZHOU),
    ("cn-shanghai", ["100.98.35.0/24", "100.98.110.0/24", "100.98.169.0/24", "100.118.102.0/24"]),
    ("cn-qingdao", ["100.115.173.0/24", "100.99.113.0/24", "100.99.114.0/24", "100.99.115.0/24"]),
    ("cn-beijing", ["100.118.58.0/24", "100.118.167.0/24", "100.118.170.0/24", "100.118.171.0/24", "100.118.172.0/24", "100.118.173.0/24"]),
    ("cn-shenzhen", ["100.118.78.0/24", "100.118.203.0/24", "100.118.204.0/24", "100.118.217.0/24"]),
    ("eu-west-1", ["100.114.114.128/25"]),
    ("cn-north-2-gov-1", []),     # the government cloud: no VIP ranges (不支持)
    ("ap-south-1", []),           # closed, no longer in the table
])
def test_vip_ranges(region, expected):
    assert oss.vip_ranges(region) == expected


def test_known_regions_are_sorted():
    assert oss.known_regions() == sorted(oss.known_regions()) and len(oss.known_regions()) == 32


@pytest.mark.parametrize("text, expected", [
    ("100.118.28.0/24", ["100.118.28.0/24"]),
    ("100.118.170.0/24 - 100.118.173.0/24", ["100.118.170.0/24", "100.118.171.0/24", "100.118.172.0/24", "100.118.173.0/24"]),
    ("10.0.0.0/23 - 10.0.4.0/23", ["10.0.0.0/23", "10.0.2.0/23", "10.0.4.0/23"]),
    ("10.0.0.0/24 - 10.0.0.0/24", ["10.0.0.0/24"]),
])
def test_expand_range(text, expected):
    assert oss.expand_range(text) == expected


@pytest.mark.parametrize("text", ["10.0.1.0/24 - 10.0.0.0/24", "10.0.0.0/24 - 10.0.1.0/25", "10.0.0.1/24", "a - b - c", "nonsense"])
def test_expand_range_rejects(text):
    with pytest.raises(ValueError):
        oss.expand_range(text)


@pytest.mark.parametrize("region, ip, expected", [
    ("cn-hangzhou", "100.118.28.43", True),     # the seed's OSS address
    ("cn-hangzhou", "100.118.31.255", True),
    ("cn-hangzhou", "100.118.29.1", False),
    ("cn-beijing", "100.118.172.9", True),
    ("cn-beijing", "100.118.174.9", False),
    ("cn-shenzhen", "100.118.28.43", False),    # Hangzhou's address
    ("cn-shenzhen", "100.118.204.7", True),
    ("cn-north-2-gov-1", "100.118.28.43", False),  # no published ranges
])
def test_in_vip_ranges(region, ip, expected):
    assert oss.in_vip_ranges(region, ip) is expected


def test_in_vip_ranges_rejects_a_bad_address():
    with pytest.raises(ValueError):
        oss.in_vip_ranges("cn-hangzhou", "100.118.28.300")
