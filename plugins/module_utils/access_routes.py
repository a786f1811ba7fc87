# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Step 3 of the procedure in one process (module registry_access_routes, role registry_routes): the owner of the step.

The access plan's routes go into two route tables, one publication and, for a data center behind a VPN gateway, the
gateway's destination routes, with the managers of the per-resource modules (``vpc_routes.RouteEntriesManager`` for
vpc_route_entry, ``route_publish.AdvertisementManager`` for cen_route_advertisement, ``vpn_routes.VpnRoutesManager`` for
vpn_route_entry), each through ``resource.step_manager``:

    present:  the source VPC's table                                        } at the same time: a table takes one
              the registry VPC's table, then the publication of its routes  } change at a time, but two tables do not wait
              to the CEN (and the wait until the source's transit router       for each other
              learned them), then the VPN gateway's routes (their publication
              is a change of the registry VPC's table too)
    absent:   the publication withdrawn first (no transit router keeps a route whose entry is gone), then both tables
              and the VPN gateway's routes

Every part is validated (reads only) before the first write of any part.
"""

from __future__ import annotations

import typing as t

from .errors import InputError
from .resource import concurrently, step_manager
from .route_publish import AdvertisementManager
from .vpc_routes import RouteEntriesManager
from .vpn_routes import VpnRoutesManager
from .waiter import Deadline


class AccessRoutes:
    """The routes of one access plan (module registry_access_routes). ``ensure()`` returns the module's result."""

    def __init__(self, module: t.Any):
        self.module = module
        self.params = module.params
        self.deadline = Deadline(self.params["wait_timeout"])
        self.parts: dict = {}

    def failure_values(self) -> dict:
        """For the failure message of ``resource.run``: the registry VPC and what was done before the failure."""
        done = [name for name, manager in self.parts.items() if manager.changed]
        return {"vpc": self.params["registry_vpc"]["vpc_id"], "done": ", ".join(done) or "nothing"}

    def _manager(self, name: str, manager_class: t.Any, known: dict | None = None, **options: t.Any) -> t.Any:
        """The manager of one part with its resource's ``options``; ``known``: what the step has read already, for the
        manager's constructor."""
        manager = step_manager(self.module, self.deadline, manager_class, known, state=self.params["state"], wait=True, **options)
        self.parts[name] = manager
        return manager

    def _table(self, name: str, side: dict | None) -> t.Any:
        if not side or not side["routes"]:
            return None
        field = "%s.route_table_id" % ("source" if name == "source" else "registry_vpc")  # the option as the user wrote it
        manager = self._manager(name, RouteEntriesManager, known={"table_field": field}, region=side["region"],
                                route_table_id=side["route_table_id"],
                                vpc_id=None if side["route_table_id"] else side["vpc_id"], routes=side["routes"], replace_foreign=False)
        manager.plan()  # a foreign entry in the way is an error now, before either table is changed
        return manager

    def _vpn_gateway(self, gateway: dict | None) -> t.Any:
        """The VPN gateway's destination routes back to a data center (the gateway is in the registry VPC's region)."""
        if not gateway or not gateway["routes"]:
            return None
        manager = self._manager("vpn_gateway", VpnRoutesManager, region=self.params["registry_vpc"]["region"],
                                vpn_gateway_id=gateway["vpn_gateway_id"], routes=gateway["routes"], replace_other_next_hops=False)
        manager.plan()  # a next hop that is not one of the gateway's connections is an error now, before any change
        return manager

    def ensure(self) -> dict:
        params, registry = self.params, self.params["registry_vpc"]
        source_table = self._table("source", params["source"])
        registry_table = self._table("registry", registry)
        vpn_routes = self._vpn_gateway(params["vpn_gateway"])
        advertisement = None
        if registry["advertise"] and not params["cen_id"]:
            raise InputError("cen_id is required to advertise %s: give the CEN instance the registry VPC is attached to"
                             % ", ".join(registry["advertise"]), field="cen_id")
        if registry["advertise"]:
            # Without a route_table_id the registry table's manager has just looked up the VPC's system table: the
            # advertisement takes it as read (no second lookup); a given table is checked by the advertisement (one read).
            system_table = registry_table.table_id if registry_table is not None and registry["route_table_id"] is None else None
            advertisement = self._manager("advertisement", AdvertisementManager, known={"system_table_id": system_table},
                                          region=registry["region"], cen_id=params["cen_id"],
                                          vpc_id=registry["vpc_id"], route_table_id=registry["route_table_id"],
                                          destination_cidr_blocks=registry["advertise"],
                                          learned_by=params["learned_by"] if params["state"] == "present" else None)

        def run(manager: t.Any) -> dict:  # validated above already
            if manager is None:
                return {}
            return manager.ensure_present() if params["state"] == "present" else manager.ensure_absent()

        if params["state"] == "present":
            source, (registry_result, advertised, vpn_result) = concurrently(
                lambda: run(source_table), lambda: (run(registry_table), run(advertisement), run(vpn_routes)))
        else:
            advertised = run(advertisement)
            source, (registry_result, vpn_result) = concurrently(lambda: run(source_table),
                                                                 lambda: (run(registry_table), run(vpn_routes)))
        results = {"source": source, "registry": registry_result, "advertisement": advertised, "vpn_gateway": vpn_result}
        diffs = {name: result["diff"] for name, result in results.items() if result.get("diff")}
        return dict(results, changed=any(result.get("changed") for result in results.values()),
                    diff={"before": {name: diff["before"] for name, diff in diffs.items()},
                          "after": {name: diff["after"] for name, diff in diffs.items()}})
