"""Assemble the docs site's sources: the hand-written pages of docs/site/ and the parts generated from the code.

Standard library only; run by `make docs` after antsibull-docs has written the plugin and role pages into SRCDIR:

    python scripts/docs_site.py SRCDIR

Writes into SRCDIR: the pages of docs/site/*.rst; generated/ with the topology pictures and route tables of each scenario
(scripts/topology_svg.py, from the collection's build_plan), the table of the 100.x conflicts and the other plan findings
(plan.py's FINDINGS), the messages of the client verification (client_verify.explain, called on one case per message)
and the toctree of the pages taken from docs/ when they exist at build time (docs/troubleshooting.md, docs/ram-policies.md
with docs/ram/*.json); playbooks.rst (each playbook, its plays and roles, its text). Every generated part comes from the
code at build time, so the site cannot say something the code no longer does.
"""

import glob
import os
import re
import shutil
import sys

import topology_svg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = "alicloud.acr_access"

# One case per message of client_verify.explain: (what the user sees, check, kind, target, detail, context). The
# example addresses are the seed topology's (topology_svg), the routes those of its plan.
_REGISTRY = topology_svg.REGISTRY_DOMAIN
_AUTH = topology_svg.AUTH_DOMAIN
_OSS = topology_svg.OSS_DOMAIN
VERIFY_CASES = [
    ("``docker login`` or ``pull``: could not resolve the registry, auth or OSS domain, or it resolves to a public address",
     "resolve", "auth", _AUTH, "resolves to 100.100.2.136", {"planned": ["100.103.7.181"]}),
    ("a pull times out connecting to the registry", "tcp", "registry", _REGISTRY, "timed out", {"address": "10.94.205.198"}),
    ("``docker login`` fails dialing the auth service", "tcp", "auth", _AUTH, "timed out", {"address": "100.103.7.181"}),
    ("the manifest arrives, the layer download stalls", "tcp", "oss", _OSS, "timed out", {"address": "100.118.28.43"}),
    ("as above, for an address no planned route covers", "tcp", "oss", _OSS, "timed out", {"address": "100.64.0.1", "routes": True}),
    ("connection refused on port 443", "tcp", "auth", _AUTH, "connection refused", {"address": "100.103.7.181"}),
    ("x509: certificate signed by unknown authority", "tls", "registry", _REGISTRY, "certificate verify failed: unable to get local issuer "
     "certificate", {"address": "10.94.205.198"}),
    ("``GET /v2/`` answers, but not as this registry", "v2", "registry", _REGISTRY, "HTTP 404 Not Found", {}),
    ("the login is sent to another auth domain", "v2", "registry", _REGISTRY, "realm", {
        "realm_host": "dockerauth-ee-vpc.cn-hangzhou.aliyuncs.com", "auth_domain": _AUTH}),
    ("pull: unauthorized, no login on the host", "token", "auth", _REGISTRY, "no stored login", {"no_login": True}),
    ("pull: unauthorized after a login", "token", "auth", _AUTH, "HTTP 401 Unauthorized", {"status": 401}),
    ("login: no answer from the auth service", "token", "auth", _AUTH, "timed out", {}),
    ("pull: manifest unknown", "manifest", "registry", _REGISTRY + "/team/app:1.0", "HTTP 404", {"status": 404}),
    ("pull: denied", "manifest", "registry", _REGISTRY + "/team/app:1.0", "HTTP 403", {"status": 403}),
    ("the manifest cannot be read", "manifest", "registry", _REGISTRY + "/team/app:1.0", "HTTP 500", {"status": 500}),
    ("the layer download goes to another OSS domain", "blob", "oss", "bucket.oss-cn-beijing-internal.aliyuncs.com",
     "redirected", {"redirect_host": "bucket.oss-cn-beijing-internal.aliyuncs.com", "oss_domain": _OSS}),
    ("the layer download times out (a planned route covers the OSS address)", "blob", "oss", _OSS, "timed out",
     {"stage": "tcp", "address": "100.118.28.43", "routes": True}),
    ("the OSS domain does not resolve at the layer download", "blob", "oss", _OSS, "no address", {"stage": "dns", "oss_domain": _OSS}),
    ("TLS to OSS fails at the layer download", "blob", "oss", _OSS, "certificate verify failed", {"stage": "tls"}),
    ("the layer download fails otherwise", "blob", "oss", _OSS, "HTTP 403 Forbidden", {}),
]


def _cell(text):
    """A list-table cell: one line, reStructuredText's inline markup characters of the code's own text made literal."""
    return re.sub(r"([*`|_\\])", r"\\\1", " ".join(str(text).split()))


def _list_table(title, widths, header, rows):
    out = [".. list-table:: %s" % title, "   :header-rows: 1", "   :widths: %s" % " ".join(str(w) for w in widths), ""]
    for row in [header] + rows:
        out.append("   * - %s" % row[0])
        out += ["     - %s" % cell for cell in row[1:]]
    return out + [""]


def findings_rst():
    """The plan's findings catalogue (plan.py FINDINGS): code, severity, fix; the 100.x conflicts first."""
    findings = topology_svg.module_utils("plan").FINDINGS
    conflicts = [code for code in findings if code.endswith("_address_conflict")]
    rows = [["``%s``" % code, findings[code][0], _cell(findings[code][1])] for code in conflicts + [c for c in findings if c not in conflicts]]
    return "\n".join(_list_table("The access plan's findings (plugins/module_utils/plan.py, FINDINGS)", [25, 8, 67],
                                 ["code", "severity", "fix"], rows))


def case_context(context):
    """A case's context for explain: ``routes`` stands for the source routes of the cross-region example's plan."""
    context = dict(context)
    if context.pop("routes", False):
        context["source_routes"] = topology_svg.scenario_plan("cross_region")[2]["source_routes"]
    return context


def verify_rst():
    """What registry_client_verify reports for each failure: its words, from client_verify.explain itself."""
    explain = topology_svg.module_utils("client_verify").explain
    rows = []
    for symptom, check, kind, target, detail, context in VERIFY_CASES:
        step, message = explain(check, kind, target, detail, case_context(context))
        rows.append([symptom, "``%s`` (%s)" % (check, kind), step, _cell(message)])
    return "\n".join(_list_table("registry_client_verify's messages (plugins/module_utils/client_verify.py, explain)", [25, 10, 6, 59],
                                 ["symptom", "failed check", "step", "cause and fix (the report's message)"], rows))


def _playbook_rst(path):
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    plays = re.findall(r"^- name: (.+)$", text, re.M)
    roles = []
    for role in re.findall(r"\b%s\.([a-z_]+)\b" % re.escape(COLLECTION), text):
        if os.path.isdir(os.path.join(ROOT, "roles", role)) and role not in roles:
            roles.append(role)
    out = [name, "-" * len(name), ""]
    out += ["Plays: %s." % "; ".join(_cell(play) for play in plays), ""]
    if roles:
        out += ["Roles: %s." % ", ".join(":ref:`%s.%s <ansible_collections.%s.%s_role>`" % (COLLECTION, role, COLLECTION, role) for role in roles), ""]
    out += [".. literalinclude:: playbooks/%s" % name, "   :language: yaml", ""]
    return out


def playbooks_rst(srcdir):
    """The page of the playbooks: each one's plays and roles, and the file itself (its head comment says how to run it)."""
    os.makedirs(os.path.join(srcdir, "playbooks"), exist_ok=True)
    out = [".. Generated by scripts/docs_site.py from playbooks/*.yml", "", "Playbooks", "=========", "",
           "The plays of the collection's ``playbooks/`` directory, as they are: each one sequences the roles of the steps "
           "of the console procedure, and its head comment says which inventory and variables it takes.", ""]
    for path in sorted(glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))):
        shutil.copy(path, os.path.join(srcdir, "playbooks", os.path.basename(path)))
        out += _playbook_rst(path)
    return "\n".join(out)


def extra_pages(srcdir):
    """The pages other parts of the repository own (Markdown in docs/), copied when they exist; their toctree lines."""
    entries = []
    for page in ("troubleshooting", "ram-policies"):
        source = os.path.join(ROOT, "docs", page + ".md")
        if not os.path.exists(source):
            continue
        os.makedirs(os.path.join(srcdir, "docs"), exist_ok=True)
        shutil.copy(source, os.path.join(srcdir, "docs", page + ".md"))
        entries.append("docs/" + page)
    ram = os.path.join(ROOT, "docs", "ram")
    if os.path.isdir(ram):
        shutil.copytree(ram, os.path.join(srcdir, "docs", "ram"), dirs_exist_ok=True)
    return entries


def ram_rst(srcdir):
    """The RAM policy documents (docs/ram/*.json) each in full, or None when there are none."""
    files = sorted(glob.glob(os.path.join(srcdir, "docs", "ram", "*.json")))
    if not files:
        return None
    out = [".. Generated by scripts/docs_site.py from docs/ram/*.json", "", "RAM policy documents", "====================", "",
           "Each least-privilege policy as the repository ships it (``docs/ram/``).", ""]
    for path in files:
        name = os.path.basename(path)
        out += [name, "-" * len(name), "", ".. literalinclude:: docs/ram/%s" % name, "   :language: json", ""]
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def assemble(srcdir):
    """Everything above into srcdir (antsibull-docs' pages are already there)."""
    for page in glob.glob(os.path.join(ROOT, "docs", "site", "*.rst")):
        shutil.copy(page, os.path.join(srcdir, os.path.basename(page)))
    generated = os.path.join(srcdir, "generated")
    topology_svg.write_all(generated)
    write(os.path.join(generated, "findings.rst"), findings_rst())
    write(os.path.join(generated, "verify_messages.rst"), verify_rst())
    write(os.path.join(srcdir, "playbooks.rst"), playbooks_rst(srcdir))
    entries = extra_pages(srcdir)
    ram = ram_rst(srcdir)
    if ram:
        write(os.path.join(srcdir, "ram_policies.rst"), ram)
        entries.append("ram_policies")
    # index.rst includes this: the pages that exist in this build
    toctree = [".. toctree::", "   :maxdepth: 1", "   :caption: From docs/", ""] + ["   %s" % entry for entry in entries]
    write(os.path.join(generated, "more_pages.rst"), "\n".join(toctree) if entries else "")
    return entries


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: %s SRCDIR\n" % argv[0])
        return 2
    assemble(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
