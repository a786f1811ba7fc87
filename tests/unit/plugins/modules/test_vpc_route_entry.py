"""vpc_route_entry's main() against the twin with the real SDK: create, compare, replace in place, conflicts, faults, check mode."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import resource
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import ROUTE_OWNER_MARKER
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline
from ansible_collections.alicloud.acr_access.plugins.modules.vpc_route_entry import main

HZ_VPC, HZ_TABLE = "vpc-bp1twin0000000000001", "vtb-bp1twin0000000000001"
HZ_ECS, HZ_ECS_2 = "i-bp1twin0000000000001", "i-bp1twin0000000000002"
SH_VPC, SH_TABLE = "vpc-uf6twin0000000000001", "vtb-uf6twin0000000000001"


@pytest.fixture
def second_instance(twin):
    """Another ECS instance in the Hangzhou VPC, as a second next hop."""
    first = twin.cloud.instances[HZ_ECS]
    twin.cloud.instances[HZ_ECS_2] = dict(first, InstanceId=HZ_ECS_2, PrivateIpAddress="10.0.0.2")
    return HZ_ECS_2


def custom_entries(twin, table=HZ_TABLE):
    """{destination: (next hop type, next hop id, description, id)} of the custom entries, from the twin's state."""
    twin.settle()
    return {e["DestinationCidrBlock"]: (e["NextHopType"], e["NextHopId"], e.get("Description"), e["RouteEntryId"])
            for e in twin.cloud.route_entries.values() if e["RouteTableId"] == table and e["Type"] == "Custom"}


def foreign_route(sdk_client, sdk_models, cidr, hop=HZ_ECS):
    """A route somebody else made (no ownership marker), through the SDK directly."""
    vpc, m = sdk_client("vpc"), sdk_models("vpc")
    body = vpc.create_route_entry(m.CreateRouteEntryRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, destination_cidr_block=cidr,
                                                            next_hop_type="Instance", next_hop_id=hop, description="made by hand")).body
    return body.route_entry_id


def route(cidr, hop=HZ_ECS, hop_type="Instance", **extra):
    return dict(destination_cidr_block=cidr, next_hop_type=hop_type, next_hop_id=hop, **extra)


def test_creates_marks_and_waits(run_module, twin_args, twin):
    routes = [route("192.168.0.0/16", name="to-lab", description="lab"), route("172.31.5.7")]
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=routes))
    assert result["changed"] is True and result["route_table_id"] == HZ_TABLE
    assert [(r["destination_cidr_block"], r["action"], r["status"], r["next_hop_id"]) for r in result["routes"]] == [
        ("192.168.0.0/16", "created", "Available", HZ_ECS), ("172.31.5.7/32", "created", "Available", HZ_ECS)]
    first = result["routes"][0]
    assert (first["name"], first["description"], first["managed"], first["type"]) == ("to-lab", "lab", True, "Custom")
    stored = custom_entries(twin)
    assert set(stored) == {"192.168.0.0/16", "172.31.5.7/32"}
    assert stored["192.168.0.0/16"][2] == "lab " + ROUTE_OWNER_MARKER and stored["172.31.5.7/32"][2] == ROUTE_OWNER_MARKER
    assert first["route_entry_id"] == stored["192.168.0.0/16"][3]
    creates = twin.calls(action="CreateRouteEntry")
    assert len(creates) == 2 and all(c["params"].get("ClientToken") for c in creates)
    assert creates[0]["params"]["ClientToken"] != creates[1]["params"]["ClientToken"]
    assert result["diff"]["before"] == {} and len(result["diff"]["after"]) == 2


def test_second_run_is_unchanged_and_reads_one_table_listing(run_module, twin_args, twin):
    args = twin_args(route_table_id=HZ_TABLE, routes=[route("192.168.0.0/16"), route("172.31.5.7/32")])
    run_module(main, args)
    seq = twin.last_seq()
    result = run_module(main, args)
    assert result["changed"] is False
    assert [r["action"] for r in result["routes"]] == ["unchanged", "unchanged"]
    assert twin.writes(since=seq) == []
    assert twin.counts(since=seq) == {"DescribeRouteEntryList": 1}
    assert result["diff"]["before"] == result["diff"]["after"]


def test_single_route_shorthand(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, destination_cidr_block="192.168.8.0/24", next_hop_id=HZ_ECS))
    assert [(r["destination_cidr_block"], r["action"]) for r in result["routes"]] == [("192.168.8.0/24", "created")]
    assert "192.168.8.0/24" in custom_entries(twin)


def test_changed_next_hop_of_our_route_is_replaced_in_place(run_module, twin_args, twin, second_instance):
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    entry_id = custom_entries(twin)["192.168.0.0/16"][3]
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16", hop=second_instance)]))
    assert result["changed"] is True
    [item] = result["routes"]
    assert (item["action"], item["route_entry_id"], item["next_hop_id"], item["status"]) == ("replaced", entry_id, second_instance, "Available")
    # No black hole: the same entry got its new next hop with one ModifyRouteEntry, never deleted and re-created.
    assert [c["action"] for c in twin.writes(since=seq)] == ["ModifyRouteEntry"]
    assert twin.writes(since=seq)[0]["params"]["NewNextHopId"] == second_instance
    assert custom_entries(twin)["192.168.0.0/16"][:2] == ("Instance", second_instance)
    assert result["diff"]["before"] == {"192.168.0.0/16": {"next_hop_type": "Instance", "next_hop_id": HZ_ECS}}
    assert result["diff"]["after"] == {"192.168.0.0/16": {"next_hop_type": "Instance", "next_hop_id": second_instance}}


def test_foreign_route_with_another_next_hop_fails_before_any_write(run_module, twin_args, twin, sdk_client, sdk_models, second_instance):
    foreign_id = foreign_route(sdk_client, sdk_models, "192.168.0.0/16")
    twin.settle()
    seq = twin.last_seq()
    routes = [route("172.31.0.0/16", hop=second_instance), route("192.168.0.0/16", hop=second_instance)]
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=routes))
    assert result["failed"] is True
    assert foreign_id in result["msg"] and HZ_ECS in result["msg"] and "replace_foreign: true" in result["msg"]
    assert twin.writes(since=seq) == []  # not even the route that had no conflict
    assert custom_entries(twin)["192.168.0.0/16"][:2] == ("Instance", HZ_ECS)


def test_replace_foreign_replaces_in_place_and_takes_ownership(run_module, twin_args, twin, sdk_client, sdk_models, second_instance):
    foreign_id = foreign_route(sdk_client, sdk_models, "192.168.0.0/16")
    result = run_module(main, twin_args(vpc_id=HZ_VPC, replace_foreign=True, routes=[route("192.168.0.0/16", hop=second_instance)]))
    [item] = result["routes"]
    assert (item["action"], item["route_entry_id"], item["managed"]) == ("replaced", foreign_id, True)
    assert custom_entries(twin)["192.168.0.0/16"] == ("Instance", second_instance, "made by hand " + ROUTE_OWNER_MARKER, foreign_id)


def test_foreign_route_with_the_same_next_hop_is_unchanged(run_module, twin_args, twin, sdk_client, sdk_models):
    foreign_id = foreign_route(sdk_client, sdk_models, "192.168.0.0/16")
    twin.settle()
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    assert result["changed"] is False and result["routes"][0]["route_entry_id"] == foreign_id
    assert result["routes"][0]["managed"] is False
    assert twin.writes(since=seq) == []


def test_routes_not_listed_are_never_touched(run_module, twin_args, twin, sdk_client, sdk_models):
    other = foreign_route(sdk_client, sdk_models, "172.20.0.0/16")
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")], state="absent"))
    stored = custom_entries(twin)
    assert set(stored) == {"172.20.0.0/16"} and stored["172.20.0.0/16"][3] == other
    assert all(c["params"].get("RouteEntryId") != other for c in twin.writes())


def test_task_conflict_is_retried(run_module, twin_args, twin):
    twin.faults.force([{"action": "CreateRouteEntry", "kind": "busy", "code": "TaskConflict", "count": 2}])
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    assert result["changed"] is True and result["routes"][0]["action"] == "created"
    creates = twin.calls(action="CreateRouteEntry")
    assert [c["code"] for c in creates] == ["TaskConflict", "TaskConflict", None]
    assert len({c["params"]["ClientToken"] for c in creates}) == 1  # the retries of one create share its token
    assert list(custom_entries(twin)) == ["192.168.0.0/16"]


def test_busy_table_is_waited_for_between_changes(run_module, twin_args, twin):
    """Several routes on one table: each change waits for the last, so the cloud never answers TaskConflict."""
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.%d.0/24" % n) for n in range(4)]))
    assert [r["action"] for r in result["routes"]] == ["created"] * 4
    assert all(c["code"] is None for c in twin.writes())
    assert len(custom_entries(twin)) == 4


def test_lost_response_leaves_exactly_one_route(run_module, twin_args, twin):
    twin.faults.force([{"action": "CreateRouteEntry", "kind": "lost_response", "count": 1}])
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    assert result["changed"] is True and "failed" not in result
    creates = twin.calls(action="CreateRouteEntry")
    assert len(creates) >= 2 and len({c["params"]["ClientToken"] for c in creates}) == 1
    stored = custom_entries(twin)
    assert list(stored) == ["192.168.0.0/16"] and result["routes"][0]["route_entry_id"] == stored["192.168.0.0/16"][3]


def test_check_mode_predicts_without_writing(run_module, twin_args, twin, second_instance):
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, _ansible_check_mode=True,
                                        routes=[route("192.168.0.0/16", hop=second_instance), route("172.31.0.0/16")]))
    assert twin.writes(since=seq) == []
    assert result["changed"] is True
    assert [(r["action"], r["next_hop_id"]) for r in result["routes"]] == [("replaced", second_instance), ("created", HZ_ECS)]
    assert result["routes"][1]["route_entry_id"] is None
    assert custom_entries(twin)["192.168.0.0/16"][1] == HZ_ECS


def test_absent_deletes_only_matching_routes(run_module, twin_args, twin, sdk_client, sdk_models, second_instance):
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    foreign_route(sdk_client, sdk_models, "172.20.0.0/16", hop=second_instance)
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, state="absent", routes=[
        route("192.168.0.0/16"),                # ours: deleted
        route("172.20.0.0/16", hop=HZ_ECS),     # foreign, goes elsewhere: kept
        route("172.30.0.0/16")]))               # not there: no change
    assert [(r["destination_cidr_block"], r["action"]) for r in result["routes"]] == [
        ("192.168.0.0/16", "deleted"), ("172.20.0.0/16", "absent"), ("172.30.0.0/16", "absent")]
    assert result["changed"] is True
    assert set(custom_entries(twin)) == {"172.20.0.0/16"}
    assert [c["action"] for c in twin.writes(since=seq)] == ["DeleteRouteEntry"]
    again = run_module(main, twin_args(vpc_id=HZ_VPC, state="absent", routes=[route("192.168.0.0/16")]))
    assert again["changed"] is False and again["routes"][0]["action"] == "absent"


def test_absent_in_check_mode(run_module, twin_args, twin):
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, state="absent", _ansible_check_mode=True, routes=[route("192.168.0.0/16")]))
    assert result["changed"] is True and result["routes"][0]["action"] == "deleted"
    assert twin.writes(since=seq) == [] and "192.168.0.0/16" in custom_entries(twin)


def shanghai_attachment(sdk_client, sdk_models, twin):
    """A transit router VPC attachment of the Shanghai VPC, through the SDK."""
    cbn, m = sdk_client("cbn"), sdk_models("cbn")
    cen = cbn.create_cen(m.CreateCenRequest(name="t")).body.cen_id
    tr = cbn.create_transit_router(m.CreateTransitRouterRequest(cen_id=cen, region_id="cn-shanghai")).body.transit_router_id
    zones = [m.CreateTransitRouterVpcAttachmentRequestZoneMappings(v_switch_id=v, zone_id=z)
             for v, z in (("vsw-uf6twin00000000000m1", "cn-shanghai-m"), ("vsw-uf6twin00000000000n1", "cn-shanghai-n"))]
    attachment = cbn.create_transit_router_vpc_attachment(m.CreateTransitRouterVpcAttachmentRequest(
        transit_router_id=tr, region_id="cn-shanghai", vpc_id=SH_VPC, zone_mappings=zones)).body.transit_router_attachment_id
    twin.settle()
    return attachment


def test_attachment_next_hop_in_shanghai(run_module, twin_args, twin, sdk_client, sdk_models):
    attachment = shanghai_attachment(sdk_client, sdk_models, twin)
    result = run_module(main, twin_args(region="cn-shanghai", vpc_id=SH_VPC,
                                        routes=[route("10.94.205.198/32", hop=attachment, hop_type="Attachment")]))
    assert result["routes"][0]["action"] == "created" and result["routes"][0]["next_hop_type"] == "Attachment"
    assert custom_entries(twin, SH_TABLE)["10.94.205.198/32"][:2] == ("Attachment", attachment)


@pytest.mark.parametrize("routes, expected", [
    ([route("10.94.205.198/24")], "has host bits set: the network is 10.94.205.0/24"),
    ([route("not-a-cidr")], "is not a CIDR block"),
    ([route("192.168.0.0/16"), route("192.168.0.0/16")], "listed twice"),
    ([route("192.168.0.1"), route("192.168.0.1/32")], "listed twice"),
    ([route("192.168.0.0/16", hop=None)], "routes[0].next_hop_id is required"),
])
def test_bad_input_fails_before_any_write(run_module, twin_args, twin, routes, expected):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=routes))
    assert result["failed"] is True and expected in result["msg"]
    assert twin.writes() == []


def test_cloud_system_route_is_a_conflict(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, replace_foreign=True, routes=[route("10.0.0.0/24")]))
    assert result["failed"] is True and "System route" in result["msg"] and twin.writes() == []


def test_api_error_names_the_code(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16", hop="i-bp1nothere")]))
    assert result["failed"] is True and result["error"]["code"] == "InvalidNextHop.NotFound"
    assert "CreateRouteEntry" in result["msg"]


def test_routes_and_shorthand_are_exclusive(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, destination_cidr_block="192.168.0.0/16", routes=[route("172.31.0.0/16")]))
    assert result["failed"] is True and "mutually exclusive" in result["msg"]


# --- review fixes ----------------------------------------------------------------------------------------

def test_absent_without_next_hop_never_deletes_a_foreign_route(run_module, twin_args, twin, sdk_client, sdk_models):
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16")]))
    foreign_id = foreign_route(sdk_client, sdk_models, "172.20.0.0/16")
    twin.settle()
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, state="absent", routes=[
        {"destination_cidr_block": "192.168.0.0/16"}, {"destination_cidr_block": "172.20.0.0/16"}]))
    assert result["failed"] is True
    assert result["msg"].startswith("routes[1].next_hop_id: ") and foreign_id in result["msg"]
    assert "next_hop_id: %s to remove it" % HZ_ECS in result["msg"]
    assert twin.writes(since=seq) == []  # not even our own route, listed first
    assert set(custom_entries(twin)) == {"192.168.0.0/16", "172.20.0.0/16"}
    # Given its next hop, the foreign route goes; our own needs none.
    result = run_module(main, twin_args(vpc_id=HZ_VPC, state="absent", routes=[
        {"destination_cidr_block": "192.168.0.0/16"}, {"destination_cidr_block": "172.20.0.0/16", "next_hop_id": HZ_ECS}]))
    assert [r["action"] for r in result["routes"]] == ["deleted", "deleted"] and custom_entries(twin) == {}


def test_attachment_next_hop_type_is_inferred_from_the_id(run_module, twin_args, twin, sdk_client, sdk_models):
    attachment = shanghai_attachment(sdk_client, sdk_models, twin)
    result = run_module(main, twin_args(region="cn-shanghai", vpc_id=SH_VPC, destination_cidr_block="10.94.205.198/32", next_hop_id=attachment))
    assert result["routes"][0]["action"] == "created" and result["routes"][0]["next_hop_type"] == "Attachment"
    [create] = twin.calls(action="CreateRouteEntry")
    assert create["params"]["NextHopType"] == "Attachment"
    assert custom_entries(twin, SH_TABLE)["10.94.205.198/32"][:2] == ("Attachment", attachment)


def test_next_hop_type_that_cannot_be_inferred_names_the_option(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, destination_cidr_block="192.168.0.0/16", next_hop_id="xyz-1"))
    assert result["failed"] is True and result["msg"].startswith("next_hop_type is not given and cannot be inferred from next_hop_id xyz-1")
    assert twin.writes() == []


def test_shorthand_errors_name_the_option_that_was_set(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HZ_VPC, destination_cidr_block="10.94.205.198/24", next_hop_id=HZ_ECS))
    assert result["failed"] is True and result["msg"].startswith("destination_cidr_block 10.94.205.198/24 has host bits set")
    assert "routes[" not in result["msg"] and twin.writes() == []


def test_one_deadline_for_every_write_of_the_task(run_module, twin_args, twin, monkeypatch):
    """The budget runs out after the first create (a clock that jumps once it is sent): the second create is never sent."""
    monkeypatch.setattr(resource, "Deadline", lambda seconds: Deadline(seconds, clock=lambda: 10000.0 if twin.calls(action="CreateRouteEntry") else 0.0))
    result = run_module(main, twin_args(route_table_id=HZ_TABLE, routes=[route("192.168.0.0/16"), route("172.31.0.0/16")]))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout" and "CreateRouteEntry (172.31.0.0/16" in result["msg"]
    assert result["msg"].startswith("Failed to manage the route entries of %s: " % HZ_TABLE)
    assert [c["params"]["DestinationCidrBlock"] for c in twin.writes()] == ["192.168.0.0/16"]


def test_delete_without_wait_is_not_waited_for_but_the_next_change_is(run_module, twin_args, twin):
    run_module(main, twin_args(vpc_id=HZ_VPC, routes=[route("192.168.0.0/16"), route("172.31.0.0/16")]))
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HZ_VPC, state="absent", wait=False, routes=[route("192.168.0.0/16"), route("172.31.0.0/16")]))
    assert [r["action"] for r in result["routes"]] == ["deleted", "deleted"]
    # Serialised per table: the second delete waits for the first; nothing waits for the last one.
    assert [c["action"] for c in twin.calls()[seq:]] == [
        "DescribeRouteTableList", "DescribeRouteEntryList", "DeleteRouteEntry", "DescribeRouteEntryList", "DeleteRouteEntry"]
    assert custom_entries(twin) == {}


class _DropCreates(BaseHTTPRequestHandler):
    """Forwards every request to the twin but drops CreateRouteEntry unsent: the cloud never sees it, the client gets no answer."""
    protocol_version = "HTTP/1.1"
    target = None
    dropped: list = []

    def log_message(self, fmt, *args):
        pass

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action = self.headers.get("x-acs-action") or parse_qs(urlsplit(self.path).query).get("Action", [None])[0]
        if action == "CreateRouteEntry":
            self.dropped.append(action)
            self.close_connection = True
            return
        upstream = http.client.HTTPConnection(self.target, timeout=10)
        upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = _forward


@pytest.fixture
def dropping_endpoint(twin):
    handler = type("Handler", (_DropCreates,), {"target": twin.endpoint, "dropped": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1], handler.dropped
    server.shutdown()
    server.server_close()


def test_create_without_any_answer_is_sent_by_the_retry_policy_only(run_module, twin_args, twin, dropping_endpoint):
    """No outer loop around the transport retries: three sends with one ClientToken, one read-back, then the error."""
    endpoint, dropped = dropping_endpoint
    result = run_module(main, twin_args(vpc_id=HZ_VPC, endpoint=endpoint, routes=[route("192.168.0.0/16")]))
    assert result["failed"] is True and result["error"]["operation"] == "CreateRouteEntry"
    assert len(dropped) == 3 and twin.writes() == []
    assert twin.counts() == {"DescribeRouteTableList": 1, "DescribeRouteEntryList": 2}  # the plan's read and one read-back


def test_a_failure_names_the_vpc_when_its_table_was_not_found(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id="vpc-bp1doesnotexist0001", destination_cidr_block="192.168.0.0/16", next_hop_id=HZ_ECS))
    assert result["failed"] is True and result["msg"].startswith("Failed to manage the route entries of vpc-bp1doesnotexist0001: ")
    assert twin.writes() == []
