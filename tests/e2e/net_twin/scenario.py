"""The seed procedure's cloud side, made through the real SDKs against a twin: CEN, transit routers, attachments,
associations, propagations, the VPC route entries and the published routes (what the collection's roles make).

Used by the tests to drive the cloud twin quickly; the network twin itself reads nothing but ``/_twin/network``.
"""

import importlib

ACCESS_KEY_ID = "LTAI5tTwinAccessKey00001"
ACCESS_KEY_SECRET = "twin-secret-do-not-use-in-production"  # the twin's documented test key, not a secret

HZ_VPC, HZ_VTB = "vpc-bp1twin0000000000001", "vtb-bp1twin0000000000001"
SH_VPC, SH_VTB = "vpc-uf6twin0000000000001", "vtb-uf6twin0000000000001"
HZ_ZONES = [("vsw-bp1twin00000000000j1", "cn-hangzhou-j"), ("vsw-bp1twin00000000000k1", "cn-hangzhou-k")]
SH_ZONES = [("vsw-uf6twin00000000000m1", "cn-shanghai-m"), ("vsw-uf6twin00000000000n1", "cn-shanghai-n")]
HZ_ECS = "i-bp1twin0000000000001"
REGISTRY_IP, AUTH_IP, OSS_IP = "10.94.205.198", "100.103.7.181", "100.118.28.43"
COVERING_CIDR = "100.0.0.0/8"


class Sdk:
    """One product's real SDK client (``call('create_cen', name=...)``) against the twin's endpoint."""

    def __init__(self, product, module, endpoint, region="cn-hangzhou"):
        from alibabacloud_tea_openapi.utils_models import Config

        self.models = importlib.import_module(module + ".models")
        client = importlib.import_module(module + ".client")
        endpoint = endpoint.split("://", 1)[-1]
        self.client = client.Client(Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, endpoint=endpoint,
                                           protocol="http", region_id=region, read_timeout=10000, connect_timeout=5000))
        self.product = product

    def call(self, operation, **fields):
        request_class = getattr(self.models, "".join(part.title() for part in operation.split("_")) + "Request")
        return getattr(self.client, operation)(request_class(**fields)).body


class Scenario:
    """Each step of the procedure as one method, so tests can also undo one step at a time."""

    def __init__(self, endpoint):
        self.cbn = Sdk("cbn", "alibabacloud_cbn20170912", endpoint)
        self.vpc_hz = Sdk("vpc", "alibabacloud_vpc20160428", endpoint, "cn-hangzhou")
        self.vpc_sh = Sdk("vpc", "alibabacloud_vpc20160428", endpoint, "cn-shanghai")
        self.ids = {}

    def _zones(self, pairs):
        model = self.cbn.models.CreateTransitRouterVpcAttachmentRequestZoneMappings
        return [model(v_switch_id=vsw, zone_id=zone) for vsw, zone in pairs]

    def system_table(self, tr_id):
        tables = self.cbn.call("list_transit_router_route_tables", transit_router_id=tr_id, transit_router_route_table_type="System")
        return tables.transit_router_route_tables[0].transit_router_route_table_id

    def connect(self):
        """Step 1 (the role cen_connect): CEN, a transit router per region, VPC attachments, the peer link, association + propagation."""
        ids = self.ids
        ids["cen"] = self.cbn.call("create_cen", name="net-twin").cen_id
        ids["tr_hz"] = self.cbn.call("create_transit_router", cen_id=ids["cen"], region_id="cn-hangzhou").transit_router_id
        ids["tr_sh"] = self.cbn.call("create_transit_router", cen_id=ids["cen"], region_id="cn-shanghai").transit_router_id
        ids["att_hz"] = self.cbn.call("create_transit_router_vpc_attachment", transit_router_id=ids["tr_hz"], region_id="cn-hangzhou",
                                      vpc_id=HZ_VPC, zone_mappings=self._zones(HZ_ZONES)).transit_router_attachment_id
        ids["att_sh"] = self.cbn.call("create_transit_router_vpc_attachment", transit_router_id=ids["tr_sh"], region_id="cn-shanghai",
                                      vpc_id=SH_VPC, zone_mappings=self._zones(SH_ZONES)).transit_router_attachment_id
        ids["peer"] = self.cbn.call("create_transit_router_peer_attachment", cen_id=ids["cen"], transit_router_id=ids["tr_hz"],
                                    region_id="cn-hangzhou", peer_transit_router_id=ids["tr_sh"], peer_transit_router_region_id="cn-shanghai",
                                    bandwidth_type="DataTransfer", bandwidth=10).transit_router_attachment_id
        ids["rt_hz"] = self.system_table(ids["tr_hz"])
        ids["rt_sh"] = self.system_table(ids["tr_sh"])
        for attachment, table in ((ids["att_hz"], ids["rt_hz"]), (ids["att_sh"], ids["rt_sh"])):
            self.associate(attachment, table)
            self.propagate(attachment, table)
        return ids

    def associate(self, attachment, table):
        self.cbn.call("associate_transit_router_attachment_with_route_table", transit_router_attachment_id=attachment,
                      transit_router_route_table_id=table)

    def dissociate(self, attachment, table):
        self.cbn.call("dissociate_transit_router_attachment_from_route_table", transit_router_attachment_id=attachment,
                      transit_router_route_table_id=table)

    def propagate(self, attachment, table):
        self.cbn.call("enable_transit_router_route_table_propagation", transit_router_attachment_id=attachment,
                      transit_router_route_table_id=table)

    def route(self, region, table, cidr, next_hop_type, next_hop_id):
        client = self.vpc_hz if region == "cn-hangzhou" else self.vpc_sh
        return client.call("create_route_entry", region_id=region, route_table_id=table, destination_cidr_block=cidr,
                           next_hop_type=next_hop_type, next_hop_id=next_hop_id).route_entry_id

    def delete_route(self, region, table, cidr):
        client = self.vpc_hz if region == "cn-hangzhou" else self.vpc_sh
        client.call("delete_route_entry", region_id=region, route_table_id=table, destination_cidr_block=cidr)

    def publish(self, cidr, vpc=HZ_VPC, table=HZ_VTB, region="cn-hangzhou"):
        self.cbn.call("publish_route_entries", cen_id=self.ids["cen"], child_instance_id=vpc, child_instance_type="VPC",
                      child_instance_region_id=region, child_instance_route_table_id=table, destination_cidr_block=cidr)

    def withdraw(self, cidr, vpc=HZ_VPC, table=HZ_VTB, region="cn-hangzhou"):
        self.cbn.call("withdraw_published_route_entries", cen_id=self.ids["cen"], child_instance_id=vpc, child_instance_type="VPC",
                      child_instance_region_id=region, child_instance_route_table_id=table, destination_cidr_block=cidr)

    def routes(self):
        """Step 3: the source VPC routes the registry's three addresses and the registry VPC to its attachment; the
        registry VPC routes the covering 100.0.0.0/8 and the registry address to ECS instance 1 and advertises both,
        and routes the source VPC back through its own attachment."""
        for destination in (REGISTRY_IP + "/32", AUTH_IP + "/32", OSS_IP + "/32", "10.0.0.0/16"):
            self.route("cn-shanghai", SH_VTB, destination, "Attachment", self.ids["att_sh"])
        self.route("cn-hangzhou", HZ_VTB, "172.16.0.0/16", "Attachment", self.ids["att_hz"])
        for destination in (COVERING_CIDR, REGISTRY_IP + "/32"):
            self.route("cn-hangzhou", HZ_VTB, destination, "Instance", HZ_ECS)
        self.settle_request()
        for destination in (COVERING_CIDR, REGISTRY_IP + "/32"):
            self.publish(destination)
        self.settle_request()

    def settle_request(self):
        """Any request applies the transitions that are due (at time scale 0: every pending one)."""
        self.cbn.call("list_transit_routers")

    def build(self):
        self.connect()
        self.settle_request()
        self.routes()
        return self.ids
