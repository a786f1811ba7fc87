#!/usr/bin/env python3
"""Build the seed's inter-region connection in the cloud twin, as the role cen_connect would, and print its ids as JSON.

Used by prepare.yml until cen_connect lands. Talks to the twin only (ACR_ACCESS_ENDPOINT must be http://127.0.0.1:PORT);
the key pair comes from the environment (scripts/twin-run sets the twin's).
"""

import json
import os
import sys
from urllib.parse import urlsplit

from alibabacloud_cbn20170912 import models
from alibabacloud_cbn20170912.client import Client
from alibabacloud_tea_openapi.models import Config

HANGZHOU = ("cn-hangzhou", "vpc-bp1twin0000000000001", (("vsw-bp1twin00000000000j1", "cn-hangzhou-j"), ("vsw-bp1twin00000000000k1", "cn-hangzhou-k")))
SHANGHAI = ("cn-shanghai", "vpc-uf6twin0000000000001", (("vsw-uf6twin00000000000m1", "cn-shanghai-m"), ("vsw-uf6twin00000000000n1", "cn-shanghai-n")))


def client() -> Client:
    endpoint = urlsplit(os.environ["ACR_ACCESS_ENDPOINT"])
    if endpoint.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("build_cen.py talks to the local cloud twin only, not to %s" % endpoint.hostname)
    return Client(Config(access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"], access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                         endpoint=endpoint.netloc, protocol=endpoint.scheme, region_id="cn-hangzhou"))


def call(cbn: Client, operation: str, **fields):
    request = getattr(models, "".join(part.title() for part in operation.split("_")) + "Request")(**fields)
    return getattr(cbn, operation)(request).body


def build(cbn: Client) -> dict:
    ids = {"cen_id": call(cbn, "create_cen", name="acr-access").cen_id}
    for key, (region, vpc_id, zones) in (("hangzhou", HANGZHOU), ("shanghai", SHANGHAI)):
        router = call(cbn, "create_transit_router", cen_id=ids["cen_id"], region_id=region).transit_router_id
        mappings = [models.CreateTransitRouterVpcAttachmentRequestZoneMappings(v_switch_id=vsw, zone_id=zone) for vsw, zone in zones]
        attachment = call(cbn, "create_transit_router_vpc_attachment", transit_router_id=router, region_id=region, vpc_id=vpc_id,
                          zone_mappings=mappings).transit_router_attachment_id
        ids[key] = {"region": region, "vpc_id": vpc_id, "transit_router_id": router, "attachment_id": attachment}
    call(cbn, "create_transit_router_peer_attachment", cen_id=ids["cen_id"], transit_router_id=ids["hangzhou"]["transit_router_id"],
         region_id="cn-hangzhou", peer_transit_router_id=ids["shanghai"]["transit_router_id"], peer_transit_router_region_id="cn-shanghai",
         bandwidth_type="DataTransfer", bandwidth=10)
    for side in (ids["hangzhou"], ids["shanghai"]):
        tables = call(cbn, "list_transit_router_route_tables", transit_router_id=side["transit_router_id"],
                      transit_router_route_table_type="System").transit_router_route_tables
        side["transit_router_route_table_id"] = tables[0].transit_router_route_table_id
        for operation in ("associate_transit_router_attachment_with_route_table", "enable_transit_router_route_table_propagation"):
            call(cbn, operation, transit_router_attachment_id=side["attachment_id"],
                 transit_router_route_table_id=side["transit_router_route_table_id"])
    return ids


if __name__ == "__main__":
    print(json.dumps(build(client()), indent=2, sort_keys=True))
