"""ECS 2014-05-26: DescribeInstances, the one ECS call the collection sends (reads the next hop of a route entry).

The instances are the fixture's (``instances:`` of a VPC, in cloud.instances, which the VPC product's route entries point
at); the answer has the shape of the SDK's DescribeInstancesResponseBody (Instances.Instance[], VpcAttributes...).
"""

import json
import re

from acr_twin.errors import ApiError, invalid
from acr_twin.registry import action
from acr_twin.state import page_by_number, page_by_token

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+(-\d+)?")
# DescribeInstances takes at most 100 ids in InstanceIds (the API reference)
MAX_IDS = 100
STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")


def _instance_ids(p):
    """InstanceIds: a JSON array of ids in one string, as the SDK sends it (``["i-1", "i-2"]``)."""
    raw = p.str("InstanceIds")
    if raw is None:
        return None
    try:
        ids = json.loads(raw)
    except ValueError:
        raise invalid("InstanceIds", raw, code="InvalidInstanceIds.Malformed")
    if not isinstance(ids, list) or not all(isinstance(ident, str) for ident in ids):
        raise invalid("InstanceIds", raw, code="InvalidInstanceIds.Malformed")
    if len(ids) > MAX_IDS:
        raise ApiError("InvalidInstanceIds.ValueNotSupported", "The specified parameter InstanceIds holds more than %d ids." % MAX_IDS)
    return ids


# The fields of an instance the fixture does not give: what DescribeInstances answers for a pay-as-you-go ecs.g7.large
# (2 vCPU, 8 GiB) in a VPC, with no GPU, local disk, dedicated host, spot price or capacity reservation (empty values,
# as the API answers them), so that the answer has every field of the SDK's DescribeInstancesResponseBodyInstancesInstance.
_INSTANCE_DEFAULTS = {
    "AdditionalInfo": {"EnableHighDensityMode": False, "ManagedHostId": "", "NodeSerialNumber": ""},
    "AutoReleaseTime": "", "ClockOptions": {"PtpStatus": "disabled"}, "ClusterId": "", "Cpu": 2,
    "CpuOptions": {"CoreCount": 1, "EnableVISST": False, "EnableVRDT": False, "NestedVirtualization": "disabled", "Numa": "",
                   "ThreadsPerCore": 2, "TopologyType": "", "TurboMode": ""},
    "CreditSpecification": "", "DedicatedHostAttribute": {"DedicatedHostClusterId": "", "DedicatedHostId": "", "DedicatedHostName": ""},
    "DedicatedInstanceAttribute": {"Affinity": "", "Tenancy": ""}, "DeletionProtection": False, "DeploymentSetGroupNo": 0,
    "DeploymentSetId": "", "DeviceAvailable": True,
    "EcsCapacityReservationAttr": {"CapacityReservationId": "", "CapacityReservationPreference": ""}, "EnableNVS": False,
    "GPUAmount": 0, "GPUSpec": "", "HibernationOptions": {"Configured": False}, "HpcClusterId": "", "ISP": "",
    "ImageId": "ubuntu_22_04_x64_20G_alibase_20260101.vhd", "ImageOptions": {"CurrentOSNVMeSupported": True, "LoginAsNonRoot": False},
    "InstanceTypeFamily": "ecs.g7", "InternetChargeType": "PayByTraffic", "InternetMaxBandwidthIn": 0, "InternetMaxBandwidthOut": 0,
    "IoOptimized": True, "KeyPairName": "", "LocalStorageAmount": 0, "LocalStorageCapacity": 0, "Memory": 8192,
    "MetadataOptions": {"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1, "HttpTokens": "optional", "InstanceMetadataTags": "disabled"},
    "OSName": "Ubuntu  22.04 64位", "OSNameEn": "Ubuntu  22.04 64 bit", "OSType": "linux",
    "PrivateDnsNameOptions": {"EnableInstanceIdDnsAAAARecord": False, "EnableInstanceIdDnsARecord": False, "EnableIpDnsARecord": False,
                              "EnableIpDnsPtrRecord": False, "HostnameType": "Custom"},
    "RdmaIpAddress": {"IpAddress": []}, "Recyclable": False, "ResourceGroupId": "", "SaleCycle": "",
    "SecurityOptions": {"EnableSecureBoot": False}, "SerialNumber": "", "SpotDuration": 0, "SpotInterruptionBehavior": "Terminate",
    "SpotPriceLimit": 0.0, "SpotStrategy": "NoSpot", "StartTime": "2026-01-01T00:00Z", "StoppedMode": "Not-applicable", "VlanId": "",
}


def _view(instance):
    """One instance in the SDK's shape: the fixture's fields, and _INSTANCE_DEFAULTS for the others."""
    view = dict(_INSTANCE_DEFAULTS)
    view.update(_own_view(instance))
    return view


def _own_view(instance):
    return {
        "InstanceId": instance["InstanceId"], "InstanceName": instance.get("InstanceName", ""), "HostName": instance.get("InstanceName", ""),
        "Description": "", "RegionId": instance["RegionId"], "ZoneId": instance.get("ZoneId", ""), "Status": instance.get("Status", "Running"),
        "InstanceType": instance.get("InstanceType", "ecs.g7.large"), "InstanceNetworkType": "vpc", "InstanceChargeType": "PostPaid",
        "CreationTime": instance.get("CreationTime", "2026-01-01T00:00Z"), "ExpiredTime": "2099-12-31T15:59Z",
        "VpcAttributes": {"VpcId": instance["VpcId"], "VSwitchId": instance["VSwitchId"], "NatIpAddress": "",
                          "PrivateIpAddress": {"IpAddress": [instance["PrivateIpAddress"]]}},
        "NetworkInterfaces": {"NetworkInterface": [{
            "NetworkInterfaceId": "eni-" + instance["InstanceId"][2:], "Type": "Primary", "PrimaryIpAddress": instance["PrivateIpAddress"],
            "MacAddress": "00:16:3e:%02x:%02x:%02x" % tuple(ord(c) % 256 for c in instance["InstanceId"][-3:]),
            "PrivateIpSets": {"PrivateIpSet": [{"Primary": True, "PrivateDnsName": "", "PrivateIpAddress": instance["PrivateIpAddress"]}]},
            "Ipv4PrefixSets": {"Ipv4PrefixSet": []}, "Ipv6PrefixSets": {"Ipv6PrefixSet": []}, "Ipv6Sets": {"Ipv6Set": []}}]},
        "OperationLocks": {"LockReason": [{"LockReason": reason} for reason in instance.get("_locks", [])]},
        "SecurityGroupIds": {"SecurityGroupId": []}, "Tags": {"Tag": []}, "PublicIpAddress": {"IpAddress": []},
        "InnerIpAddress": {"IpAddress": []},
        "EipAddress": {"AllocationId": "", "IpAddress": "", "Bandwidth": 0, "InternetChargeType": "", "IsSupportUnassociate": False},
    }


@action("ecs", "DescribeInstances")
def describe_instances(cloud, p):
    region = p.region()
    if not _REGION.fullmatch(region):
        raise ApiError("InvalidRegionId.NotFound", "The specified RegionId (%s) does not exist." % region, status=404)
    ids = _instance_ids(p)
    vpc_id = p.str("VpcId")
    name = p.str("InstanceName")
    status = p.str("Status", choices=STATUSES)
    found = [instance for _key, instance in sorted(cloud.instances.items())
             if instance["RegionId"] == region and (ids is None or instance["InstanceId"] in ids)
             and (vpc_id is None or instance["VpcId"] == vpc_id) and (status is None or instance.get("Status") == status)
             and (name is None or _name_matches(instance.get("InstanceName", ""), name))]
    if p.str("NextToken") is not None or p.str("MaxResults") is not None:
        page, token = page_by_token(found, p, default_size=10, max_size=100)
        meta = {"NextToken": token, "TotalCount": len(found)}
    else:
        page, meta = page_by_number(found, p, default_size=10, max_size=100)
        meta["NextToken"] = ""
    meta["Instances"] = {"Instance": [_view(instance) for instance in page]}
    return meta


def _name_matches(actual, wanted):
    """InstanceName: the exact name, or a prefix followed by * (the API's fuzzy search)."""
    if wanted.endswith("*"):
        return actual.startswith(wanted[:-1])
    return actual == wanted
