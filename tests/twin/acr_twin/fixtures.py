"""Topologies the twin starts from: the seed's (fixtures/seed.yml), or one described in a YAML/JSON file."""

import ipaddress
import json
import os

from acr_twin.state import Cloud

FIXTURES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
# `--fixture seed`: the procedure's topology, fixtures/seed.yml (acr_twin.seed_ids names its ids for the tests).
SEED_FILE = os.path.join(FIXTURES_DIR, "seed.yml")


def _read_yaml(path):
    import yaml  # PyYAML comes with ansible-core, in every environment that runs the twin

    with open(path) as handle:
        return yaml.safe_load(handle)


SEED = _read_yaml(SEED_FILE)

# The resource group of everything the fixtures hold.
RESOURCE_GROUP_ID = "rg-twin000000000001"

# Every VPC's system route table carries this route for the cloud's own services.
CLOUD_SERVICE_CIDR = "100.64.0.0/10"


class FixtureError(ValueError):
    pass


def read_fixture(spec):
    """``'seed'``, a dict, or the path of a YAML or JSON file -> the fixture as a dict."""
    if isinstance(spec, dict):
        return spec
    if spec in (None, "seed"):
        return SEED
    if not os.path.exists(spec):
        raise FixtureError("fixture %r: no such file (use 'seed' or a YAML/JSON file)" % spec)
    if spec.endswith(".json"):
        with open(spec) as handle:
            return json.load(handle)
    return _read_yaml(spec)


def build_cloud(spec, time_scale=1.0):
    """A Cloud holding the fixture's resources, all in their final (available) states."""
    fixture = read_fixture(spec)
    cloud = Cloud(time_scale=time_scale)
    for region_doc in fixture.get("regions", []):
        region = _need(region_doc, "region", "regions[]")
        cloud.regions.add(region)
        for vpc_doc in region_doc.get("vpcs", []):
            _load_vpc(cloud, region, vpc_doc)
        _load_data_center_links(cloud, region, region_doc)
        for registry_doc in region_doc.get("registries", []):
            _load_registry(cloud, region, registry_doc)
    return cloud


def _need(doc, key, where):
    if key not in doc:
        raise FixtureError("fixture: %s needs %r" % (where, key))
    return doc[key]


def _load_vpc(cloud, region, doc):
    vpc_id = _need(doc, "id", "vpcs[]")
    cidr = str(ipaddress.ip_network(_need(doc, "cidr_block", vpc_id)))
    secondary = [str(ipaddress.ip_network(c)) for c in doc.get("secondary_cidr_blocks", [])]
    table_id = doc.get("route_table_id") or cloud.new_id("vtb", region)
    router_id = doc.get("vrouter_id") or cloud.new_id("vrt", region)
    vswitch_ids = []
    cloud.vpcs[vpc_id] = {
        "VpcId": vpc_id, "VpcName": doc.get("name", ""), "RegionId": region, "CidrBlock": cidr,
        "SecondaryCidrBlocks": {"SecondaryCidrBlock": secondary}, "Status": "Available", "VRouterId": router_id,
        "Description": doc.get("description", ""), "IsDefault": False, "CreationTime": cloud.now_iso(),
        "VSwitchIds": {"VSwitchId": vswitch_ids}, "RouterTableIds": {"RouterTableIds": [table_id]},
        "ResourceGroupId": RESOURCE_GROUP_ID, "Ipv6CidrBlock": "", "EnabledIpv6": False,
    }
    cloud.route_tables[table_id] = {
        "RouteTableId": table_id, "RouteTableName": "", "RouteTableType": "System", "VpcId": vpc_id, "RouterId": router_id,
        "RouterType": "VRouter", "RegionId": region, "Status": "Available", "Description": "", "CreationTime": cloud.now_iso(),
        "VSwitchIds": {"VSwitchId": vswitch_ids}, "ResourceGroupId": RESOURCE_GROUP_ID, "OwnerId": 1234567890123456,
    }
    _system_entry(cloud, table_id, CLOUD_SERVICE_CIDR, "service")
    for vsw in doc.get("vswitches", []):
        vsw_id = _need(vsw, "id", "vswitches[]")
        vsw_cidr = str(ipaddress.ip_network(_need(vsw, "cidr_block", vsw_id)))
        vswitch_ids.append(vsw_id)
        cloud.vswitches[vsw_id] = {
            "VSwitchId": vsw_id, "VSwitchName": vsw.get("name", ""), "VpcId": vpc_id, "ZoneId": _need(vsw, "zone", vsw_id),
            "CidrBlock": vsw_cidr, "RegionId": region, "Status": "Available", "Description": "", "IsDefault": False,
            "AvailableIpAddressCount": 252, "CreationTime": cloud.now_iso(),
            "RouteTable": {"RouteTableId": table_id, "RouteTableType": "System"}, "ResourceGroupId": RESOURCE_GROUP_ID,
        }
        _system_entry(cloud, table_id, vsw_cidr, "local")
    for inst in doc.get("instances", []):
        inst_id = _need(inst, "id", "instances[]")
        vsw_id = _need(inst, "vswitch", inst_id)
        cloud.instances[inst_id] = {
            "InstanceId": inst_id, "InstanceName": inst.get("name", ""), "RegionId": region, "VpcId": vpc_id,
            "VSwitchId": vsw_id, "ZoneId": cloud.vswitches[vsw_id]["ZoneId"], "PrivateIpAddress": _need(inst, "private_ip", inst_id),
            "Status": "Running",
        }
    for gw in doc.get("vpn_gateways", []):
        gw_id = _need(gw, "id", "vpn_gateways[]")
        cloud.vpn_gateways[gw_id] = {
            "VpnGatewayId": gw_id, "Name": gw.get("name", ""), "RegionId": region, "VpcId": vpc_id,
            "VSwitchId": gw.get("vswitch", vswitch_ids[0] if vswitch_ids else ""), "Status": "active", "BusinessStatus": "Normal",
            "_connections": list(gw.get("ipsec_connections", [])),
        }


def _load_data_center_links(cloud, region, doc):
    """Customer gateways, IPsec connections and virtual border routers: what links a region to a data center."""
    for cgw in doc.get("customer_gateways", []):
        cgw_id = _need(cgw, "id", "customer_gateways[]")
        cloud.customer_gateways[cgw_id] = {
            "CustomerGatewayId": cgw_id, "Name": cgw.get("name", ""), "RegionId": region,
            "IpAddress": _need(cgw, "ip_address", cgw_id), "Asn": str(cgw.get("asn", "")), "Description": "",
        }
    for connection in doc.get("ipsec_connections", []):
        connection_id = _need(connection, "id", "ipsec_connections[]")
        gateway_id = connection.get("vpn_gateway", "")
        if gateway_id and gateway_id not in cloud.vpn_gateways:
            raise FixtureError("fixture: %s names VPN gateway %s, which no VPC of %s holds" % (connection_id, gateway_id, region))
        cloud.vpn_connections[connection_id] = {
            "VpnConnectionId": connection_id, "Name": connection.get("name", ""), "RegionId": region, "VpnGatewayId": gateway_id,
            "CustomerGatewayId": _need(connection, "customer_gateway", connection_id),
            "AttachType": connection.get("attach_type", "VPNGateway"), "LocalSubnet": connection.get("local_subnet", "0.0.0.0/0"),
            "RemoteSubnet": connection.get("remote_subnet", "0.0.0.0/0"), "Status": "ike_sa_established", "State": "active",
            # The on-premises networks behind the connection: what a transit router learns from its VPN attachment.
            "_remote_cidr_blocks": [str(ipaddress.ip_network(c)) for c in connection.get("remote_cidr_blocks", [])],
        }
    for vbr in doc.get("virtual_border_routers", []):
        vbr_id = _need(vbr, "id", "virtual_border_routers[]")
        cloud.virtual_border_routers[vbr_id] = {
            "VbrId": vbr_id, "Name": vbr.get("name", ""), "RegionId": region, "Status": "active",
            "LocalGatewayIp": vbr.get("local_gateway_ip", ""), "PeerGatewayIp": vbr.get("peer_gateway_ip", ""),
            "PeeringSubnetMask": vbr.get("peering_subnet_mask", ""),
            # The VBR's static routes to the data center: what a transit router learns from its VBR attachment.
            "_static_routes": [str(ipaddress.ip_network(c)) for c in vbr.get("static_routes", [])],
        }


def _system_entry(cloud, table_id, cidr, next_hop_type):
    entry_id = "rte-%s-%s" % (table_id[4:], cidr.replace(".", "-").replace("/", "-"))
    cloud.route_entries[entry_id] = {
        "RouteEntryId": entry_id, "RouteTableId": table_id, "DestinationCidrBlock": cidr, "Type": "System",
        "Status": "Available", "RouteEntryName": "", "Description": "", "IpVersion": "ipv4", "Origin": "",
        "NextHopType": next_hop_type, "NextHopId": "", "CreationTime": cloud.now_iso(),
    }


def _load_registry(cloud, region, doc):
    instance_id = _need(doc, "id", "registries[]")
    name = _need(doc, "name", instance_id)
    cloud.cr_instances[instance_id] = {
        "InstanceId": instance_id, "InstanceName": name, "RegionId": region,
        "InstanceStatus": doc.get("status", "RUNNING"), "InstanceSpecification": doc.get("specification", "Enterprise_Basic"),
        "CreateTime": "2026-01-01 00:00:00", "ModifiedTime": "2026-01-01 00:00:00", "ResourceGroupId": RESOURCE_GROUP_ID,
        "_vpc_domain": doc.get("vpc_domain", "%s-registry-vpc.%s.cr.aliyuncs.com" % (name, region)),
        "_internet_domain": doc.get("internet_domain", "%s-registry.%s.cr.aliyuncs.com" % (name, region)),
        "_internet_enabled": bool(doc.get("internet_enabled", False)),
        "_auth_domain": doc.get("auth_domain", "dockerauth-vpc.%s.aliyuncs.com" % region),
        "_auth_ip": doc.get("auth_ip"),
        "_auth_takeover": bool(doc.get("auth_takeover", False)),
        "_oss_domain": doc.get("oss_domain", "oss-%s-internal.aliyuncs.com" % region),
        "_oss_ip": doc.get("oss_ip"),
        "_linked_vpc_quota": int(doc.get("linked_vpc_quota", 3)),
    }
    for link in doc.get("linked_vpcs", []):
        vpc_id = _need(link, "vpc", instance_id + " linked_vpcs[]")
        cloud.cr_linked_vpcs["%s/%s" % (instance_id, vpc_id)] = {
            "InstanceId": instance_id, "VpcId": vpc_id, "VswitchId": _need(link, "vswitch", vpc_id), "Ip": _need(link, "ip", vpc_id),
            "Status": "RUNNING", "DefaultAccess": False, "ModuleName": "Registry",
        }
