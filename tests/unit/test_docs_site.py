"""The docs site's generated parts (scripts/topology_svg.py, scripts/docs_site.py): pictures and tables drawn from the code.

`make docs` builds the whole site; these check, fast and without Sphinx, that what it embeds says what the code does.
"""

import copy
import os
import sys
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import client_verify, plan as plan_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import docs_site  # noqa: E402  pylint: disable=wrong-import-position
import topology_svg  # noqa: E402  pylint: disable=wrong-import-position

SVG = "{http://www.w3.org/2000/svg}"


def svg_text(document):
    """The text a reader sees in the picture: every <text> element's content, parsed as XML (fails if not well-formed)."""
    root = ET.fromstring(document.encode("utf-8"))
    assert root.tag == SVG + "svg"
    return "\n".join(element.text or "" for element in root.iter(SVG + "text"))


@pytest.mark.parametrize("name", sorted(topology_svg.SCENARIOS))
def test_the_picture_names_every_planned_route(name):
    title, facts, plan = topology_svg.scenario_plan(name)
    text = svg_text(topology_svg.render(title, facts, plan))
    destinations = topology_svg.planned_destinations(plan)
    assert destinations, "the example topology of %s plans no route" % name
    for destination in destinations:
        assert destination in text, "%s: %s is planned but not in the picture" % (name, destination)
    # the next hops too: where each planned route leads
    hops = {r["next_hop_id"] for key in ("source_routes", "registry_routes") for r in plan.get(key) or []}
    hops |= {r["next_hop"] for r in plan.get("vpn_routes") or []}
    for hop in hops:
        assert hop in text, "%s: next hop %s is not in the picture" % (name, hop)


def test_the_pictures_follow_the_plan_rules():
    """Same topology, auth-domain takeover on: the plan drops the auth route, and so does the picture."""
    title, facts, plan = topology_svg.scenario_plan("cross_region")
    assert "100.103.7.181/32" in svg_text(topology_svg.render(title, facts, plan))
    taken_over = copy.deepcopy(facts)
    taken_over["endpoints"]["auth"]["takeover"] = True
    text = svg_text(topology_svg.render(title, taken_over, plan_module.build_plan(**copy.deepcopy(taken_over))))
    assert "100.103.7.181/32" not in text
    assert "10.94.205.198/32" in text


def test_the_scenarios_are_the_documented_ones():
    """Each scenario page shows the routes its text describes: a VPN gateway advertises nothing, a transit router does."""
    plans = {name: topology_svg.scenario_plan(name)[2] for name in topology_svg.SCENARIOS}
    assert plans["cross_region"]["source_routes"] and not plans["cross_region"]["blocking"]
    assert plans["data_center_vpn_gateway"]["registry_routes"] == [] and plans["data_center_vpn_gateway"]["vpn_routes"]
    assert any(r["advertise"] for r in plans["data_center_transit_router"]["registry_routes"])
    for name, plan in plans.items():
        assert not plan["blocking"], "%s: the example topology has a blocking finding" % name


def test_written_files(tmp_path):
    written = topology_svg.write_all(str(tmp_path))
    assert sorted(os.path.basename(path) for path in written) == sorted(
        name + suffix for name in topology_svg.SCENARIOS for suffix in (".svg", "-routes.rst"))
    routes = (tmp_path / "cross_region-routes.rst").read_text()
    _title, _facts, plan = topology_svg.scenario_plan("cross_region")
    for route in plan["source_routes"] + plan["registry_routes"]:
        assert route["destination_cidr_block"] in routes


def test_the_findings_table_is_the_catalogue():
    table = docs_site.findings_rst()
    for code, (severity, _fix) in plan_module.FINDINGS.items():
        row = table.split("``%s``" % code, 1)
        assert len(row) == 2, "finding %s is not in the table" % code
        assert row[1].splitlines()[1].strip() == "- %s" % severity
    # the 100.x conflicts come first
    assert table.index("``auth_address_conflict``") < table.index("``oss_address_outside_vip_ranges``")


def test_the_verification_table_is_the_code_s_own_words():
    table = docs_site.verify_rst()
    steps, messages = set(), []
    for _symptom, check, kind, target, detail, context in docs_site.VERIFY_CASES:
        step, message = client_verify.explain(check, kind, target, detail, docs_site.case_context(context))
        assert step != "?", "%s/%s is not a check the verification explains" % (check, kind)
        steps.add(step)
        # the table's cell is the message with reStructuredText's markup characters escaped
        first_words = " ".join(message.split()[:4]).replace("_", "\\_").replace("*", "\\*")
        assert first_words in table, message
        messages.append(message)
    assert {"1/3", "2", "3", "4"} <= steps
    # every case shows a message of its own: none is a duplicate of another
    assert len(set(messages)) == len(messages)


def test_assemble_writes_the_pages(tmp_path):
    srcdir = tmp_path / "src"
    srcdir.mkdir()
    entries = docs_site.assemble(str(srcdir))
    for page in ("index.rst", "cross_region.rst", "data_center.rst", "conflicts.rst", "troubleshooting.rst", "playbooks.rst",
                 "generated/findings.rst", "generated/verify_messages.rst", "generated/more_pages.rst"):
        assert (srcdir / page).is_file(), page
    # every generated part a page includes exists
    for page in srcdir.glob("*.rst"):
        for line in page.read_text().splitlines():
            if line.startswith((".. include:: ", ".. figure:: ", ".. literalinclude:: ")):
                assert (srcdir / line.split(":: ", 1)[1]).is_file(), "%s: %s" % (page.name, line)
    playbooks = (srcdir / "playbooks.rst").read_text()
    for path in sorted(os.listdir(os.path.join(ROOT, "playbooks"))):
        assert ".. literalinclude:: playbooks/%s" % path in playbooks
    # the pages of docs/ that exist in this tree, and only those, are in the toctree
    more = (srcdir / "generated" / "more_pages.rst").read_text()
    for page in ("troubleshooting", "ram-policies"):
        present = os.path.exists(os.path.join(ROOT, "docs", page + ".md"))
        assert (("docs/" + page) in entries) == present and (("docs/" + page) in more) == present
