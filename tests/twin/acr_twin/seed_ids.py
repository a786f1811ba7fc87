"""The seed fixture's ids by name, read from fixtures/seed.yml: tests say what they mean instead of repeating ids.

    from acr_twin import seed_ids as ids

    vpc_info(region=ids.REGISTRY_REGION, vpc_id=ids.REGISTRY_VPC)

The procedure's words: the registry VPC (cn-hangzhou, ECS instance 1, the Container Registry instance) and the access
source VPC (cn-shanghai, ECS instance 2, the client).
"""

from acr_twin.fixtures import RESOURCE_GROUP_ID, SEED


def _region(name):
    return next(region for region in SEED["regions"] if region["region"] == name)


def _vswitch(vpc, zone):
    return next(vsw["id"] for vsw in vpc["vswitches"] if vsw["zone"] == zone)


_REGISTRY = _region("cn-hangzhou")
_REGISTRY_VPC = _REGISTRY["vpcs"][0]
_INSTANCE = _REGISTRY["registries"][0]
_SOURCE = _region("cn-shanghai")
_SOURCE_VPC = _SOURCE["vpcs"][0]

RESOURCE_GROUP = RESOURCE_GROUP_ID

# The registry side: cn-hangzhou, VPC 1 (10.0.0.0/16)
REGISTRY_REGION = _REGISTRY["region"]
REGISTRY_VPC = _REGISTRY_VPC["id"]
REGISTRY_VPC_CIDR = _REGISTRY_VPC["cidr_block"]
REGISTRY_ROUTE_TABLE = _REGISTRY_VPC["route_table_id"]
REGISTRY_VROUTER = _REGISTRY_VPC["vrouter_id"]
REGISTRY_VSWITCH_J = _vswitch(_REGISTRY_VPC, "cn-hangzhou-j")
REGISTRY_VSWITCH_K = _vswitch(_REGISTRY_VPC, "cn-hangzhou-k")
REGISTRY_VSWITCHES = [REGISTRY_VSWITCH_J, REGISTRY_VSWITCH_K]
REGISTRY_ECS = _REGISTRY_VPC["instances"][0]["id"]  # ECS instance 1, the next hop of the covering route
REGISTRY_ECS_IP = _REGISTRY_VPC["instances"][0]["private_ip"]

# The Container Registry Enterprise Edition instance, linked to the registry VPC
INSTANCE_ID = _INSTANCE["id"]
INSTANCE_NAME = _INSTANCE["name"]
REGISTRY_DOMAIN = "%s-registry-vpc.%s.cr.aliyuncs.com" % (INSTANCE_NAME, REGISTRY_REGION)  # its VPC domain
REGISTRY_IP = _INSTANCE["linked_vpcs"][0]["ip"]  # the VPC endpoint's address in the registry VPC
AUTH_DOMAIN = _INSTANCE["auth_domain"]
AUTH_IP = _INSTANCE["auth_ip"]
OSS_DOMAIN = _INSTANCE["oss_domain"]
OSS_IP = _INSTANCE["oss_ip"]

# The access source side: cn-shanghai, VPC 2 (172.16.0.0/16)
SOURCE_REGION = _SOURCE["region"]
SOURCE_VPC = _SOURCE_VPC["id"]
SOURCE_VPC_CIDR = _SOURCE_VPC["cidr_block"]
SOURCE_ROUTE_TABLE = _SOURCE_VPC["route_table_id"]
SOURCE_VROUTER = _SOURCE_VPC["vrouter_id"]
SOURCE_VSWITCH_M = _vswitch(_SOURCE_VPC, "cn-shanghai-m")
SOURCE_VSWITCH_N = _vswitch(_SOURCE_VPC, "cn-shanghai-n")
SOURCE_VSWITCHES = [SOURCE_VSWITCH_M, SOURCE_VSWITCH_N]
SOURCE_ECS = _SOURCE_VPC["instances"][0]["id"]  # ECS instance 2, a client
SOURCE_ECS_IP = _SOURCE_VPC["instances"][0]["private_ip"]

# The data center (on premises, 192.168.0.0/24) and how the registry's region reaches it
DATA_CENTER_CIDR = "192.168.0.0/24"
VPN_GATEWAY = _REGISTRY_VPC["vpn_gateways"][0]["id"]  # option 1: in the registry VPC
CUSTOMER_GATEWAY = _REGISTRY["customer_gateways"][0]["id"]
IPSEC_VPN_GATEWAY = _REGISTRY["ipsec_connections"][0]["id"]  # option 1: the IPsec connection on VPN_GATEWAY
IPSEC_TRANSIT_ROUTER = _REGISTRY["ipsec_connections"][1]["id"]  # option 2: bound to the transit router (attach type CEN)
VBR = _REGISTRY["virtual_border_routers"][0]["id"]  # option 2 over Express Connect


def cen_members():
    """The two VPCs as the role cen_connect and cen_info take them (a new list each call)."""
    return [
        {"region": REGISTRY_REGION, "vpc_id": REGISTRY_VPC, "vswitch_ids": list(REGISTRY_VSWITCHES)},
        {"region": SOURCE_REGION, "vpc_id": SOURCE_VPC, "vswitch_ids": list(SOURCE_VSWITCHES)},
    ]
