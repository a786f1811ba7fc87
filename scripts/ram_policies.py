# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the least-privilege RAM policies of the roles and playbooks: docs/ram/<name>.json.

The one hand-kept fact is MODULE_ACTIONS: the API actions each module may send (in any of its states). The rest is
read from the collection itself: which modules a role's tasks use (roles/*/tasks/*.yml) and which roles and modules a
playbook runs (playbooks/*.yml). tests/unit/test_ram_policies.py keeps the table honest: every action in it is named by
the code under plugins/ and has an SDK request model, every action the code names is in it, the files here are what
this script writes, and a run of each role against the cloud twin sends no action outside that role's policy.

    scripts/ram_policies.py            write docs/ram/*.json
    scripts/ram_policies.py --check    exit 1 if a file differs from what would be written
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "docs", "ram")
NAMESPACE = "alicloud.acr_access."

# The product name of the API (module_utils' Product constants, the twin's call log) -> its RAM code, the prefix of
# the actions in a policy. CBN is the API of CEN, whose RAM code is cen (CEN's "RAM authentication" page); VPN gateway
# actions belong to the VPC API and RAM code vpc (the VPN gateway's "RAM authorization" page); CR's code is cr;
# PrivateLink's is privatelink (its "RAM authorization" page: privatelink:CreateVpcEndpoint...); ECS's is ecs
# (ecs:DescribeInstances).
RAM_CODE = {"vpc": "vpc", "cbn": "cen", "cr": "cr", "sts": "sts", "privatelink": "privatelink", "ecs": "ecs"}

# -- what each module may send ---------------------------------------------------------------------------------------
VPC_READS = {"vpc": {"DescribeVpcs", "DescribeVSwitches", "DescribeRouteTableList"}}
ROUTE_ENTRY = {"vpc": {"DescribeRouteTableList", "DescribeRouteEntryList", "CreateRouteEntry", "ModifyRouteEntry",
                       "DeleteRouteEntry"}}
VPN_READS = {"vpc": {"DescribeVpnGateways", "DescribeVpnConnections"}}
VPN_ROUTE_ENTRY = {"vpc": {"DescribeVpnGateways", "DescribeVpnConnections", "DescribeVpnRouteEntries", "DescribeRouteEntryList",
                           "CreateVpnRouteEntry", "ModifyVpnRouteEntryWeight", "PublishVpnRouteEntry", "DeleteVpnRouteEntry"}}
# cen.check_members: each member's VPC and vSwitches, and the regions CEN can attach (cen_info validate_members,
# cen_connection)
MEMBERS = {"vpc": {"DescribeVpcs", "DescribeVSwitches"}, "cbn": {"DescribeChildInstanceRegions"}}
CEN = {"cbn": {"DescribeCens", "CreateCen", "ModifyCenAttribute", "DeleteCen"}}
TRANSIT_ROUTER = {"cbn": {"ListTransitRouters", "ListTransitRouterRouteTables", "CreateTransitRouter", "DeleteTransitRouter"}}
PEER_ATTACHMENT = {"cbn": {"ListTransitRouters", "ListTransitRouterPeerAttachments", "CreateTransitRouterPeerAttachment",
                           "UpdateTransitRouterPeerAttachmentAttribute", "DeleteTransitRouterPeerAttachment"}}
# An attachment is associated with, and propagates to, the transit router's route table (cen_resources.LinkedAttachmentManager)
ROUTE_TABLE_LINKS = {"cbn": {"ListTransitRouters", "ListTransitRouterRouteTables", "ListTransitRouterRouteTableAssociations",
                             "ListTransitRouterRouteTablePropagations", "AssociateTransitRouterAttachmentWithRouteTable",
                             "DissociateTransitRouterAttachmentFromRouteTable", "EnableTransitRouterRouteTablePropagation",
                             "DisableTransitRouterRouteTablePropagation"}}


def attachment(kind: str) -> dict:
    """The calls of a VPC, VPN or VBR attachment module: its own list/create/update/delete and the route table links."""
    actions = {"ListTransitRouter%sAttachments" % kind, "CreateTransitRouter%sAttachment" % kind,
               "UpdateTransitRouter%sAttachmentAttribute" % kind, "DeleteTransitRouter%sAttachment" % kind}
    return union(ROUTE_TABLE_LINKS, {"cbn": actions})


def union(*parts: dict) -> dict:
    merged: dict = {}
    for part in parts:
        for product, actions in part.items():
            merged.setdefault(product, set()).update(actions)
    return merged


VPC_ATTACHMENT = union(attachment("Vpc"), {"cbn": {"UpdateTransitRouterVpcAttachmentZones"}},
                       {"vpc": {"DescribeVpcs", "DescribeVSwitches"}})
ADVERTISEMENT = {"cbn": {"DescribePublishedRouteEntries", "PublishRouteEntries", "WithdrawPublishedRouteEntries",
                         "ListTransitRouterRouteEntries", "ListTransitRouterRouteTables", "ListTransitRouterVpcAttachments",
                         "ListTransitRouterRouteTablePropagations", "ListTransitRouterRouteTableAssociations"},
                 "vpc": {"DescribeRouteTableList"}}
CEN_READS = union(MEMBERS, {"vpc": {"DescribeRouteTableList"},
                            "cbn": {"DescribeCens", "ListTransitRouters", "ListTransitRouterRouteTables",
                                    "ListTransitRouterVpcAttachments", "ListTransitRouterPeerAttachments",
                                    "ListTransitRouterVpnAttachments", "ListTransitRouterVbrAttachments",
                                    "ListTransitRouterRouteTableAssociations", "ListTransitRouterRouteTablePropagations",
                                    # route_entries: true, what each transit router learned
                                    "ListTransitRouterRouteEntries"}})
CR_INSTANCE = {"cr": {"ListInstance", "GetInstance"}}

# Module -> {product: actions}. Modules that run on hosts (registry_hosts, registry_login...) and registry_access_plan
# (computed on the controller) call no cloud API and are absent. Every cloud module may also send sts:AssumeRole, with
# the caller's own key, when ram_role_arn is given: that permission belongs to the caller, not to the role (see
# ASSUME_ROLE below).
MODULE_ACTIONS = {
    "vpc_info": union(VPC_READS, {"vpc": {"DescribeRouteEntryList"}}),
    "vpc_route_entry": ROUTE_ENTRY,
    "vpn_gateway_info": union(VPN_READS, {"vpc": {"DescribeCustomerGateways"}}),
    "vpn_route_entry": VPN_ROUTE_ENTRY,
    "cen_info": CEN_READS,
    "cen_instance": CEN,
    "cen_transit_router": TRANSIT_ROUTER,
    "cen_transit_router_peer_attachment": PEER_ATTACHMENT,
    "cen_transit_router_vpc_attachment": VPC_ATTACHMENT,
    "cen_transit_router_vpn_attachment": attachment("Vpn"),
    "cen_transit_router_vbr_attachment": attachment("Vbr"),
    "cen_route_advertisement": ADVERTISEMENT,
    # step 1 in one process: the managers of cen_instance, cen_transit_router, the attachments and vpc_route_entry
    "cen_connection": union(MEMBERS, CEN, TRANSIT_ROUTER, PEER_ATTACHMENT, VPC_ATTACHMENT, ROUTE_ENTRY),
    # step 3 in one process: the managers of vpc_route_entry, cen_route_advertisement and vpn_route_entry
    "registry_access_routes": union(VPC_READS, ROUTE_ENTRY, ADVERTISEMENT, VPN_ROUTE_ENTRY),
    # read only: the next hop of the covering route, checked by the roles before any write
    "ecs_instance_info": {"ecs": {"DescribeInstances"}},
    "cr_instance_info": union(CR_INSTANCE, {"cr": {"ListInstanceEndpoint", "GetInstanceVpcEndpoint"}}),
    "cr_vpc_endpoint": union(CR_INSTANCE, {"cr": {"GetInstanceVpcEndpoint", "CreateInstanceVpcEndpointLinkedVpc",
                                                  "DeleteInstanceVpcEndpointLinkedVpc"},
                                           "vpc": {"DescribeVSwitches"}}),
    "cr_authorization_token": union(CR_INSTANCE, {"cr": {"GetAuthorizationToken"}}),
    # the OSS endpoint of registry_routes' privatelink mode: the service, the endpoint and its zones; the vSwitches checked
    "privatelink_vpc_endpoint": {"privatelink": {"ListVpcEndpointServicesByEndUser", "ListVpcEndpoints", "ListVpcEndpointZones",
                                                 "CreateVpcEndpoint", "DeleteVpcEndpoint"},
                                 "vpc": {"DescribeVSwitches"}},
}

# Playbooks that make no write call although some of their modules can: playbooks/diagnose.yml runs
# cen_route_advertisement with check_mode: true and the role registry_endpoints with no VPC to link. Their policy allows
# only the reads of their modules - what the module base itself takes for a read (product.is_write, which check mode
# enforces) - so that a diagnosis can run with credentials that cannot change anything.
READ_ONLY_PLAYBOOKS = {"diagnose"}


def _load_product():
    """plugins/module_utils/product.py (it imports nothing of the collection): the base's rule of what is a read."""
    spec = importlib.util.spec_from_file_location("acr_access_product", os.path.join(ROOT, "plugins", "module_utils", "product.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


is_write = _load_product().is_write

# The caller's permission for ram_role_arn (option of every cloud module): AssumeRole on the role it names.
ASSUME_ROLE = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"],
                                              "Resource": ["acs:ram::<account id>:role/<role name>"]}]}


# -- what the roles and playbooks run --------------------------------------------------------------------------------
def _tasks(node):
    """Every task dict in a play/task list, blocks and plays included."""
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        yield node
        for key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers"):
            if key in node:
                yield from _tasks(node[key])


def _uses(paths: list) -> tuple:
    """(modules, roles) the YAML files at ``paths`` name: task keys alicloud.acr_access.<module>, included or listed roles."""
    modules, roles = set(), set()
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream) or []
        for task in _tasks(document):
            for key, value in task.items():
                if key.startswith(NAMESPACE) and os.path.exists(os.path.join(ROOT, "plugins", "modules", key[len(NAMESPACE):] + ".py")):
                    modules.add(key[len(NAMESPACE):])
                if key in ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role"):
                    roles.add(value["name"].replace(NAMESPACE, ""))
            for role in task.get("roles", []) if isinstance(task.get("roles"), list) else []:
                roles.add((role["role"] if isinstance(role, dict) else role).replace(NAMESPACE, ""))
    return modules, roles


def role_names() -> list:
    return sorted(name for name in os.listdir(os.path.join(ROOT, "roles")) if os.path.isdir(os.path.join(ROOT, "roles", name, "tasks")))


def playbook_names() -> list:
    return sorted(name[:-4] for name in os.listdir(os.path.join(ROOT, "playbooks")) if name.endswith(".yml"))


def role_modules(role: str) -> set:
    """The modules a role's tasks use, and those of the roles it includes."""
    tasks_dir = os.path.join(ROOT, "roles", role, "tasks")
    modules, roles = _uses([os.path.join(tasks_dir, name) for name in sorted(os.listdir(tasks_dir)) if name.endswith(".yml")])
    for included in roles - {role}:
        modules |= role_modules(included)
    return modules


def playbook_modules(playbook: str) -> set:
    modules, roles = _uses([os.path.join(ROOT, "playbooks", playbook + ".yml")])
    for role in roles:
        modules |= role_modules(role)
    return modules


def actions_of(modules: set, reads_only: bool = False) -> set:
    """RAM actions ("cen:CreateCen") of the modules (those that call no cloud API add none); only their reads if asked."""
    return {"%s:%s" % (RAM_CODE[product], action)
            for module in modules for product, actions in MODULE_ACTIONS.get(module, {}).items() for action in actions
            if not reads_only or not is_write(action)}


def playbook_actions(playbook: str) -> set:
    """The RAM actions of a playbook's policy: its modules' and its roles', only the reads for a read-only playbook."""
    return actions_of(playbook_modules(playbook), reads_only=playbook in READ_ONLY_PLAYBOOKS)


def policy(actions: set) -> dict | None:
    """A RAM policy document allowing exactly ``actions`` on all resources, or None when there is none to allow.

    Resource "*": the resources (CEN, transit routers, attachments, route tables) are created by the run itself, so
    their ARNs are not known beforehand; restrict them per account or region in a copy if your policy rules ask for it.
    """
    if not actions:
        return None
    return {"Version": "1", "Statement": [{"Effect": "Allow", "Action": sorted(actions), "Resource": "*"}]}


def documents() -> dict:
    """{file name: policy} for every role and playbook that calls the cloud, and the caller's AssumeRole policy."""
    found = {}
    for role in role_names():
        found["role-%s.json" % role] = policy(actions_of(role_modules(role)))
    for playbook in playbook_names():
        found["playbook-%s.json" % playbook] = policy(playbook_actions(playbook))
    found["assume-role.json"] = ASSUME_ROLE
    return {name: document for name, document in found.items() if document is not None}


def render(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ram differs from what would be written")
    args = parser.parse_args(argv)
    wanted = {name: render(document) for name, document in documents().items()}
    present = set(name for name in os.listdir(OUT_DIR) if name.endswith(".json")) if os.path.isdir(OUT_DIR) else set()
    stale = sorted(name for name in present - set(wanted))
    differ = sorted(name for name, text in wanted.items()
                    if not os.path.exists(os.path.join(OUT_DIR, name)) or open(os.path.join(OUT_DIR, name), encoding="utf-8").read() != text)
    if args.check:
        for name in differ + stale:
            print("docs/ram/%s is out of date: run scripts/ram_policies.py" % name, file=sys.stderr)
        return 1 if differ or stale else 0
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in differ:
        with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8") as stream:
            stream.write(wanted[name])
    for name in stale:
        os.remove(os.path.join(OUT_DIR, name))
    print("docs/ram: %d written, %d removed, %d unchanged" % (len(differ), len(stale), len(wanted) - len(differ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
