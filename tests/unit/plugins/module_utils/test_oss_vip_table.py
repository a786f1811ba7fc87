"""The OSS VIP ranges of every region of the published table, through the plan: each region's registry gets a route for
each of its published blocks, nothing else for OSS, and no finding.

data/oss-vip-ranges.yaml is the table as read from Alibaba Cloud's OSS "Regions and endpoints" page, each block copied as
printed, with its sources and the date it was read (the same file the collection's table in oss.py was written from).
"""

import ipaddress
import os

import pytest
import yaml

from ansible_collections.alicloud.acr_access.plugins.module_utils import oss, regions
from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import build_plan

with open(os.path.join(os.path.dirname(__file__), "data", "oss-vip-ranges.yaml"), encoding="utf-8") as stream:
    PUBLISHED = yaml.safe_load(stream)
TABLE = PUBLISHED["regions"]
ATTACHMENT = "tr-attach-uf6example000001"


def test_the_table_has_every_public_region_and_its_date():
    assert len(TABLE) == 32
    assert sorted(TABLE) == sorted(regions.PUBLIC_REGIONS) == oss.known_regions()
    assert str(PUBLISHED["source"]["retrieved"]) == oss.VIP_TABLE_RETRIEVED == regions.REGIONS_RETRIEVED
    assert "regions-and-endpoints" in oss.VIP_TABLE_SOURCE


def test_regions_apart_from_the_table_are_known_regions_without_ranges():
    apart = set(PUBLISHED["finance_cloud"]["internal_environment"]) | set(PUBLISHED["gov_cloud"])
    assert apart == set(regions.FINANCE_REGIONS + regions.GOVERNMENT_REGIONS)
    assert all(regions.is_known_region(region) and oss.vip_ranges(region) == [] for region in apart)


def plan_for(region, oss_address):
    """The plan of a registry in ``region`` pulled from by a VPC in another region (CIDRs outside 100.64.0.0/10)."""
    other = "cn-shanghai" if region != "cn-shanghai" else "cn-hangzhou"
    return build_plan(
        source={"kind": "vpc", "region": other, "vpc_id": "vpc-source", "route_table_id": "vtb-source", "cidr_blocks": ["172.16.0.0/16"],
                "next_hop_type": "Attachment", "next_hop_id": ATTACHMENT, "existing_routes": []},
        registry_vpc={"region": region, "vpc_id": "vpc-registry", "route_table_id": "vtb-registry", "cidr_blocks": ["10.0.0.0/16"],
                      "vswitch_cidr_blocks": ["10.0.0.0/24"], "next_hop_instance_id": "i-registry", "existing_routes": []},
        endpoints={"registry": {"domain": "example-registry-vpc.%s.cr.aliyuncs.com" % region, "addresses": ["10.0.0.9"]},
                   "auth": {"domain": "dockerauth-vpc.%s.aliyuncs.com" % region, "addresses": ["100.103.7.181"], "takeover": False},
                   "oss": {"domain": oss.oss_domain(region), "addresses": [oss_address]}},
        reachable_cidrs=["10.0.0.0/16"])


@pytest.mark.parametrize("region", sorted(TABLE))
def test_the_plan_routes_every_published_block_of_the_region(region):
    published = [ipaddress.ip_network(block, strict=True) for block in TABLE[region]["vip_ranges"]]
    assert published and all(network.subnet_of(ipaddress.ip_network("100.64.0.0/10")) for network in published)
    address = str(published[-1].network_address + 7)  # an OSS VIP inside the last block
    plan = plan_for(region, address)
    oss_routes = [r["destination_cidr_block"] for r in plan["source_routes"] if r["destination_cidr_block"] not in ("10.0.0.9/32", "100.103.7.181/32")]
    assert oss_routes == [str(network) for network in sorted(published)]
    assert all(r["next_hop_id"] == ATTACHMENT for r in plan["source_routes"])
    assert [f["code"] for f in plan["findings"]] == []
    assert plan["hosts_entries"][-1] == {"ip": address, "names": ["oss-%s-internal.aliyuncs.com" % region]}


@pytest.mark.parametrize("region", ["cn-north-2-gov-1", "cn-shanghai-finance-1"])
def test_a_region_without_published_ranges_is_a_finding_naming_the_table(region):
    plan = plan_for(region, "100.112.15.9")
    finding = next(f for f in plan["findings"] if f["code"] == "oss_vip_ranges_unknown")
    assert finding["severity"] == "warning" and "oss_vip_ranges" in finding["fix"]
    assert "Region %s has no OSS VIP ranges in the published table" % region in finding["message"]
    assert oss.VIP_TABLE_RETRIEVED in finding["message"] and "100.112.15.9" in finding["message"]
    assert "100.112.15.9/32" in [r["destination_cidr_block"] for r in plan["source_routes"]]
