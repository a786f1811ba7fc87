"""The VPC calls older clients still make (DescribeRouteTables, DescribeVRouters, CreateRouteEntries,
DeleteRouteEntries, DescribeRouteEntryList's filters), one VPC per CEN, the legacy RPC signature checked for real, and
every error code the twin answers sourced or listed unverified -- driven by the real SDK clients."""

import ast
import json
import os
import urllib.error
import urllib.request

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, error_codes
from acr_twin import seed_ids as ids
from acr_twin.faults import BUSY_CODES
from acr_twin.products._cbn_common import CBN_CODES

HZ = ids.REGISTRY_REGION
TABLE = ids.REGISTRY_ROUTE_TABLE
ECS = ids.REGISTRY_ECS


@pytest.fixture
def vpc(sdk_client, sdk_models):
    client, models = sdk_client("vpc"), sdk_models("vpc")

    def call(action, **fields):
        request = getattr(models, action + "Request")().from_map(dict(fields, RegionId=fields.get("RegionId", HZ)))
        method = next(getattr(client, n) for n in dir(client) if n.replace("_", "") == action.lower())
        return method(request).body.to_map()

    return call


def _entries(vpc, **filters):
    return vpc("DescribeRouteEntryList", RouteTableId=TABLE, **filters)["RouteEntrys"]["RouteEntry"]


def _error(fn, *args, **kwargs):
    with pytest.raises(ClientException) as err:
        fn(*args, **kwargs)
    return err.value


def _row(cidr, hop=ECS, table=TABLE, **extra):
    return dict({"RouteTableId": table, "DstCidrBlock": cidr, "NextHop": hop, "NextHopType": "Instance"}, **extra)


# -- CreateRouteEntries / DeleteRouteEntries ---------------------------------------------------------------------------------
def test_batch_create_reports_each_entry(vpc, twin):
    twin.set_time_scale(1000.0)  # delays far in the future: Pending / Deleting stay visible until settle()
    answer = vpc("CreateRouteEntries", RouteEntries=[
        _row("192.168.1.0/24", Name="one"), _row("192.168.2.5"),              # made (an address is a /32)
        _row("192.168.1.0/24"),                                                # the first entry of this batch has it
        _row("10.0.0.0/25"),                                                   # inside vSwitch j's CIDR block
        _row("192.168.3.0/24", hop="i-bp1nosuch0000000001"),                   # no such instance
        _row("192.168.4.0/24", table="vtb-bp1nosuch0000000001")])              # no such table
    assert (answer["SuccessCount"], answer["FailedCount"]) == (2, 4)
    assert [f["FailedCode"] for f in answer["FailedRouteEntries"]] == [
        "RouterEntryConflict.Duplicated", "InvalidCidrBlock.Overlapped", "InvalidNextHop.NotFound", "InvalidRouteTableId.NotFound"]
    assert [f["DstCidrBlock"] for f in answer["FailedRouteEntries"]] == ["192.168.1.0/24", "10.0.0.0/25", "192.168.3.0/24", "192.168.4.0/24"]
    made = dict((e["RouteEntryId"], e) for e in _entries(vpc, RouteEntryType="Custom"))
    assert sorted(made) == sorted(answer["RouteEntryIds"])
    assert sorted((e["DestinationCidrBlock"], e["Status"]) for e in made.values()) == [("192.168.1.0/24", "Pending"), ("192.168.2.5/32", "Pending")]
    assert [e["RouteEntryName"] for e in made.values() if e["DestinationCidrBlock"] == "192.168.1.0/24"] == ["one"]
    twin.settle()
    assert set(e["Status"] for e in _entries(vpc, RouteEntryType="Custom")) == {"Available"}


def test_batch_is_refused_while_the_vpc_has_a_route_change_running(vpc, twin):
    twin.set_time_scale(1000.0)  # delays far in the future: Pending / Deleting stay visible until settle()
    vpc("CreateRouteEntry", RouteTableId=TABLE, DestinationCidrBlock="192.168.9.0/24", NextHopId=ECS)
    err = _error(vpc, "CreateRouteEntries", RouteEntries=[_row("192.168.1.0/24")])
    assert err.code == "TaskConflict" and "Pending" in err.message
    busy_delete = [{"RouteTableId": TABLE, "DstCidrBlock": "192.168.9.0/24", "NextHop": ECS}]
    assert _error(vpc, "DeleteRouteEntries", RouteEntries=busy_delete).code == "TaskConflict"
    twin.settle()
    # one batch may put several entries in one table (it is one task), and then the table is busy until they are done
    answer = vpc("CreateRouteEntries", RouteEntries=[_row("192.168.1.0/24"), _row("192.168.2.0/24")])
    assert answer["SuccessCount"] == 2
    assert _error(vpc, "CreateRouteEntry", RouteTableId=TABLE, DestinationCidrBlock="192.168.3.0/24", NextHopId=ECS).code == "TaskConflict"


def test_batch_request_checks(vpc, twin):
    assert _error(vpc, "CreateRouteEntries").code == "MissingParameter"
    err = _error(vpc, "CreateRouteEntries", RouteEntries=[{"RouteTableId": TABLE, "NextHop": ECS}])
    assert err.code == "MissingParameter" and "RouteEntries.1.DstCidrBlock" in err.message
    assert _error(vpc, "CreateRouteEntries", RouteEntries=[_row("192.168.%d.0/24" % n) for n in range(51)]).code == "InvalidParameter"
    assert _error(vpc, "CreateRouteEntries", RouteEntries=[_row("192.168.1.0/24", IpVersion=5)]).code == "InvalidParameter"
    assert _error(vpc, "CreateRouteEntries", DryRun=True, RouteEntries=[_row("192.168.1.0/24")]).code == "DryRunOperation"
    assert _entries(vpc, RouteEntryType="Custom") == []
    assert twin.writes() and all(c["status"] == 400 for c in twin.writes())


def test_batch_delete_by_id_and_by_destination(vpc, twin):
    twin.set_time_scale(1000.0)  # delays far in the future: Pending / Deleting stay visible until settle()
    made = vpc("CreateRouteEntries", RouteEntries=[_row("192.168.1.0/24"), _row("192.168.2.0/24")])["RouteEntryIds"]
    twin.settle()
    system = [e for e in _entries(vpc) if e["Type"] == "System"][0]
    answer = vpc("DeleteRouteEntries", RouteEntries=[
        {"RouteTableId": TABLE, "RouteEntryId": made[0]},
        {"RouteTableId": TABLE, "DstCidrBlock": "192.168.2.0/24", "NextHop": ECS},
        {"RouteTableId": TABLE, "RouteEntryId": system["RouteEntryId"]},
        {"RouteTableId": TABLE, "RouteEntryId": "rte-bp1nosuch0000000001"}])
    assert (answer["SuccessCount"], answer["FailedCount"]) == (2, 2)
    assert [(f["RouteEntryId"], f["FailedCode"]) for f in answer["FailedRouteEntries"]] == [
        (system["RouteEntryId"], "OperationDenied"), ("rte-bp1nosuch0000000001", "InvalidRouteEntry.NotFound")]
    assert set(e["Status"] for e in _entries(vpc, RouteEntryType="Custom")) == {"Deleting"}
    twin.settle()
    assert _entries(vpc, RouteEntryType="Custom") == []


def test_batch_delete_needs_an_id_or_destination_and_next_hop(vpc):
    err = _error(vpc, "DeleteRouteEntries", RouteEntries=[{"RouteTableId": TABLE, "DstCidrBlock": "192.168.2.0/24"}])
    assert err.code == "MissingParameter" and "RouteEntries.1.RouteEntryId" in err.message


# -- DescribeRouteTables / DescribeVRouters / DescribeRouteEntryList ----------------------------------------------------------
def test_describe_route_tables_lists_tables_with_their_routes(vpc, twin):
    twin.set_time_scale(1000.0)  # delays far in the future: Pending / Deleting stay visible until settle()
    vpc("CreateRouteEntry", RouteTableId=TABLE, DestinationCidrBlock="192.168.9.0/24", NextHopId=ECS, RouteEntryName="nine")
    tables = vpc("DescribeRouteTables", VRouterId=ids.REGISTRY_VROUTER)["RouteTables"]["RouteTable"]
    assert [(t["RouteTableId"], t["RouteTableType"], t["VRouterId"]) for t in tables] == [(TABLE, "System", ids.REGISTRY_VROUTER)]
    assert sorted(tables[0]["VSwitchIds"]["VSwitchId"]) == sorted(ids.REGISTRY_VSWITCHES)
    custom = [e for e in tables[0]["RouteEntrys"]["RouteEntry"] if e["Type"] == "Custom"]
    assert [(e["DestinationCidrBlock"], e["InstanceId"], e["NextHopType"], e["Status"], e["RouteEntryName"]) for e in custom] == [
        ("192.168.9.0/24", ECS, "Instance", "Pending", "nine")]
    only_custom = vpc("DescribeRouteTables", RouteTableId=TABLE, Type="Custom")["RouteTables"]["RouteTable"][0]
    assert [e["Type"] for e in only_custom["RouteEntrys"]["RouteEntry"]] == ["Custom"]
    assert vpc("DescribeRouteTables", VRouterId=ids.REGISTRY_VROUTER, RouterType="VBR")["RouteTables"]["RouteTable"] == []
    assert vpc("DescribeRouteTables", RegionId=ids.SOURCE_REGION, RouteTableId=TABLE)["TotalCount"] == 0


def test_describe_route_tables_needs_a_table_or_router(vpc):
    assert _error(vpc, "DescribeRouteTables").code == "MissingParameter"
    assert _error(vpc, "DescribeRouteTables", VRouterId=ids.REGISTRY_VROUTER, RouterId=ids.REGISTRY_VROUTER).code == "InvalidParameter"


def test_describe_vrouters(vpc):
    routers = vpc("DescribeVRouters")["VRouters"]["VRouter"]
    assert [(r["VRouterId"], r["VpcId"], r["RegionId"], r["RouteTableIds"]["RouteTableId"]) for r in routers] == [
        (ids.REGISTRY_VROUTER, ids.REGISTRY_VPC, HZ, [TABLE])]
    assert vpc("DescribeVRouters", VRouterId="vrt-bp1nosuch0000000001")["TotalCount"] == 0
    assert _error(vpc, "DescribeVRouters", RegionId="").code == "MissingParameter"


def test_describe_route_entry_list_filters(vpc, twin):
    vpc("CreateRouteEntries", RouteEntries=[_row("192.168.1.0/24", Name="one"), _row("192.168.2.0/24")])
    twin.settle()
    listed = _entries(vpc, DestCidrBlockList=["192.168.2.0/24", "10.0.1.0/24"])
    assert sorted(e["DestinationCidrBlock"] for e in listed) == ["10.0.1.0/24", "192.168.2.0/24"]
    assert [e["RouteEntryName"] for e in _entries(vpc, RouteEntryName="one")] == ["one"]
    assert len(_entries(vpc, NextHopId=ECS, NextHopType="Instance")) == 2
    assert set(e["Type"] for e in _entries(vpc, RouteEntryType="System")) == {"System"}
    assert _entries(vpc, RouteEntryType="CEN") == [] and _entries(vpc, IpVersion="ipv6") == []
    assert _entries(vpc, ServiceType="TR") == []  # no route of the twin is hosted by a transit router
    assert _error(vpc, "DescribeRouteEntryList", RouteTableId=TABLE, ServiceType="XX").code == "InvalidParameter"
    assert _error(vpc, "DescribeRouteEntryList", RouteTableId=TABLE, RouteEntryType="Other").code == "InvalidParameter"
    page = vpc("DescribeRouteEntryList", RouteTableId=TABLE, MaxResult=2)
    assert len(page["RouteEntrys"]["RouteEntry"]) == 2 and page["NextToken"] and page["TotalCount"] > 2


# -- one VPC per CEN; RegionId of VPC attachments -----------------------------------------------------------------------------
def test_a_vpc_joins_one_cen_only(sdk_client, sdk_models, twin):
    cbn, m = sdk_client("cbn"), sdk_models("cbn")

    def call(action, **fields):
        method = next(getattr(cbn, n) for n in dir(cbn) if n.replace("_", "") == action.lower())
        return method(getattr(m, action + "Request")().from_map(fields)).body.to_map()

    zones = [{"VSwitchId": ids.REGISTRY_VSWITCH_J, "ZoneId": "cn-hangzhou-j"}]
    routers = []
    for name in ("first", "second"):
        cen_id = call("CreateCen", Name=name)["CenId"]
        twin.settle()
        routers.append((cen_id, call("CreateTransitRouter", CenId=cen_id, RegionId=HZ)["TransitRouterId"]))
        twin.settle()
    first = call("CreateTransitRouterVpcAttachment", TransitRouterId=routers[0][1], RegionId=HZ, VpcId=ids.REGISTRY_VPC, ZoneMappings=zones)
    with pytest.raises(ClientException) as err:
        call("CreateTransitRouterVpcAttachment", TransitRouterId=routers[1][1], RegionId=HZ, VpcId=ids.REGISTRY_VPC, ZoneMappings=zones)
    assert err.value.code == "InvalidOperation.ChildInstanceAlreadyAttached" and err.value.status_code == 409
    assert routers[0][0] in err.value.message
    # RegionId alone lists a region's VPC attachments (the reference's third way); each names its VPC's region
    listed = call("ListTransitRouterVpcAttachments", RegionId=HZ)["TransitRouterAttachments"]
    assert [(a["TransitRouterAttachmentId"], a["VpcRegionId"], a["CenId"]) for a in listed] == [
        (first["TransitRouterAttachmentId"], HZ, routers[0][0])]
    assert call("ListTransitRouterVpcAttachments", RegionId=ids.SOURCE_REGION)["TransitRouterAttachments"] == []


# -- the legacy RPC signature, checked for real ---------------------------------------------------------------------------------
def _legacy_signed_url(params, secret=DEFAULT_ACCESS_KEY_SECRET):
    from aliyunsdkcore.auth.composer.rpc_signature_composer import get_signed_url

    return get_signed_url(dict(params), DEFAULT_ACCESS_KEY_ID, secret, "JSON", "POST", {})[0]


def _post(twin, url):
    request = urllib.request.Request("http://%s%s" % (twin.endpoint, url), data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_legacy_signature_covers_every_parameter(twin):
    params = {"Action": "DescribeVRouters", "Version": "2016-04-28", "RegionId": HZ}
    status, body = _post(twin, _legacy_signed_url(params))
    assert status == 200 and body["VRouters"]["VRouter"][0]["VRouterId"] == ids.REGISTRY_VROUTER
    tampered = _legacy_signed_url(params).replace("RegionId=cn-hangzhou", "RegionId=cn-shanghai")
    status, body = _post(twin, tampered)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    status, body = _post(twin, _legacy_signed_url(params, secret="not-the-secret"))
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    unsigned = _legacy_signed_url(params).replace("Signature=", "Unsigned=")
    assert _post(twin, unsigned)[1]["Code"] == "MissingParameter"


def test_both_signatures_cover_the_query(sdk_client, sdk_models, twin):
    """The request each client sent, replayed with one parameter changed, is refused: ACS3 (the SDK's default, over the
    canonical request) and the RPC signature of the legacy core SDK (over the sorted parameters) alike."""
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest

    sent = []
    original = twin.handle

    def spy(method, path, query_string, headers, body):
        sent.append((method, path, query_string, dict(headers), body))
        return original(method, path, query_string, headers, body)

    twin.handle = spy
    try:
        client = sdk_client("vpc")
        client.describe_vrouters(sdk_models("vpc").DescribeVRoutersRequest(region_id=HZ))
        legacy = CommonRequest(domain=twin.endpoint, version="2016-04-28", action_name="DescribeVRouters")
        legacy.set_protocol_type("http")
        legacy.set_method("POST")
        legacy.add_query_param("RegionId", HZ)
        AcsClient(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, HZ).do_action_with_exception(legacy)
    finally:
        del twin.handle
    (acs3, rpc) = sent
    assert "authorization" in dict((k.lower(), v) for k, v in acs3[3].items()) and "Signature=" in rpc[2]
    for (method, path, query, headers, body), refused in ((acs3, "IncompleteSignature"), (rpc, "SignatureDoesNotMatch")):
        assert twin.handle(method, path, query, headers, body).status == 200  # the request as sent
        tampered = query.replace("RegionId=cn-hangzhou", "RegionId=cn-shanghai")
        assert tampered != query
        answer = twin.handle(method, path, tampered, headers, body)
        assert (answer.status, answer.body["Code"]) == (400, refused)


# -- error codes --------------------------------------------------------------------------------------------------------------
TWIN = os.path.dirname(os.path.abspath(error_codes.__file__))
_CODE_CALLS = ("ApiError", "CrFailure", "not_found", "incorrect_status")


def raised_codes():
    """Every error code literal of the twin's source: first argument of ApiError / CrFailure / not_found, a code=
    keyword or default, a dotted or UPPER_SNAKE literal passed as a code to a helper, and the tables of codes."""
    codes = set(CBN_CODES.values()) | {code for product in BUSY_CODES.values() for code in product}  # each product: a tuple
    for folder, _dirs, files in os.walk(TWIN):
        for name in files:
            if not name.endswith(".py") or name == "error_codes.py":
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    callee = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if callee in _CODE_CALLS and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                        codes.add(node.args[0].value)
                    for keyword in node.keywords:
                        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                            codes.add(keyword.value.value)
                    if callee in ("_name", "_create_link", "_remove_link", "_or_error"):
                        codes.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                                     and "." in a.value and a.value[:1].isupper())
                elif isinstance(node, ast.arguments):  # def f(..., code="X"): the default code of a helper
                    named = list(zip(node.args[len(node.args) - len(node.defaults):], node.defaults)) + list(zip(node.kwonlyargs, node.kw_defaults))
                    codes.update(d.value for a, d in named if a.arg == "code" and isinstance(d, ast.Constant) and isinstance(d.value, str))
                elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and getattr(node.values[0], "id", None) == "code":
                    codes.update(v.value for v in node.values[1:] if isinstance(v, ast.Constant))
    return codes


def test_every_error_code_is_sourced_or_listed_unverified():
    codes = raised_codes()
    assert {"TaskConflict", "INSTANCE_NOT_EXIST", "InvalidOperation.ChildInstanceAlreadyAttached", "QuotaExceeded.TransitRouter",
            "Throttling.User", "IncorrectRouteEntryStatus"} <= codes  # the scan finds each kind of place
    assert sorted(codes - set(error_codes.SOURCES) - set(error_codes.UNVERIFIED)) == []
    assert sorted(set(error_codes.SOURCES) & set(error_codes.UNVERIFIED)) == []
    assert sorted((set(error_codes.SOURCES) | set(error_codes.UNVERIFIED)) - codes) == []  # no stale entry
    assert all(error_codes.SOURCES.values()) and all(error_codes.UNVERIFIED.values())
