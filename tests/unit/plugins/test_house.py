"""The walls of the house (docs/development.md, "The map"), checked on the shipped files themselves.

Each rule reads the source with ``ast`` (no import), so a breach names the file and the line.
"""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]  # the collection: tests/unit/plugins/ -> ../../..
PLUGINS = ROOT / "plugins"
MODULE_UTILS = PLUGINS / "module_utils"

# The base: knows no product (no product home imported, no product name in a string that selects behaviour).
BASE = ("client.py", "errors.py", "paging.py", "product.py", "resource.py", "retry.py", "waiter.py", "common.py")
# Product homes: the only files that name an Alibaba Cloud product's API. (credentials.py, the auth layer the base
# uses, asks sts.py for ram_role_arn's key: the shared option is STS by definition.)
PRODUCT_HOMES = ("vpc", "vpc_routes", "vpn_routes", "cen", "cen_resources", "route_publish", "cr", "cr_resources", "sts", "privatelink",
                 "ecs")
# Pure: facts in, decisions out; no I/O, no SDK, no module base.
PURE = ("plan.py", "role_plan.py", "diagnosis.py", "topology.py", "oss.py", "realm.py", "errors.py", "common.py")
# The host side runs on client hosts and the probe host: no cloud SDK, so neither the module base (client.py)
# nor a product home; the SDK-free pieces of the base (errors, waiter's polling) are fine.
HOST_SIDE = ("hosts_file.py", "registry_client.py", "client_verify.py", "registry_probe.py", "realm.py", "auth_takeover.py",
             "gateway_routes.py")
HOST_MODULES = ("registry_hosts.py", "registry_login.py", "registry_image.py", "registry_client_verify.py",
                "registry_endpoint_info.py", "cr_auth_domain_takeover.py", "onprem_gateway_routes.py")
# Action plugins that compute in the controller's process instead of starting a module: the pure core only.
PURE_ACTIONS = ("registry_access_plan.py",)
NEEDS_THE_SDK = ("client", "credentials") + PRODUCT_HOMES
IO_MODULES = {"socket", "ssl", "http", "urllib.request", "subprocess", "os", "shutil", "time", "requests"}
SDK_PREFIXES = ("alibabacloud_", "Tea", "aliyunsdk")


def imports_of(path):
    """(line, imported module name) of every import in ``path``, relative imports resolved to module_utils names."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .vpc import X / from . import paging
                names = [node.module] if node.module else [alias.name for alias in node.names]
                found.extend((node.lineno, "module_utils." + name) for name in names)
            elif node.module and node.module.startswith("ansible_collections.alicloud.acr_access.plugins.module_utils"):
                rest = node.module[len("ansible_collections.alicloud.acr_access.plugins."):]
                if rest == "module_utils":
                    found.extend((node.lineno, "module_utils." + alias.name) for alias in node.names)
                else:
                    found.append((node.lineno, rest))
            elif node.module:
                found.append((node.lineno, node.module))
    return found


def local_imports(path):
    return [(line, name.split(".", 1)[1]) for line, name in imports_of(path) if name.startswith("module_utils.")]


def module_utils_file(name):
    return MODULE_UTILS / (name + ".py")


@pytest.mark.parametrize("name", BASE)
def test_the_base_imports_no_product_home(name):
    path = MODULE_UTILS / name
    breaches = [(line, imported) for line, imported in local_imports(path) if imported in PRODUCT_HOMES]
    assert not breaches, "%s (the base) imports product homes: %s" % (name, breaches)


@pytest.mark.parametrize("name", BASE)
def test_the_base_names_no_product(name):
    """No product string selects behaviour in the base ("vpc", "cbn", "cr", "sts" in code, not in comments or docstrings)."""
    tree = ast.parse((MODULE_UTILS / name).read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    named = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
             and node.value.lower() in ("vpc", "cbn", "cr", "sts", "assumerole", "issuccess")]
    assert not named, "%s (the base) names products: %s" % (name, named)


@pytest.mark.parametrize("name", PURE)
def test_the_pure_core_does_no_io(name):
    breaches = [(line, imported) for line, imported in imports_of(MODULE_UTILS / name)
                if imported.split(".")[0] in IO_MODULES or imported in IO_MODULES or imported.startswith(SDK_PREFIXES)
                or imported.startswith("ansible.") or imported == "module_utils.client"]
    assert not breaches, "%s must stay pure (facts in, decisions out): %s" % (name, breaches)


@pytest.mark.parametrize("path", [MODULE_UTILS / name for name in HOST_SIDE] + [PLUGINS / "modules" / name for name in HOST_MODULES],
                         ids=lambda path: path.name)
def test_the_host_side_needs_no_cloud_sdk(path):
    breaches = [(line, imported) for line, imported in imports_of(path)
                if imported.startswith(SDK_PREFIXES)
                or (imported.startswith("module_utils.") and imported.split(".", 1)[1] in NEEDS_THE_SDK)]
    assert not breaches, "%s runs on client hosts without the cloud SDKs: %s" % (path.name, breaches)


@pytest.mark.parametrize("name", PURE_ACTIONS)
def test_a_pure_action_starts_no_module_and_needs_no_cloud_sdk(name):
    """The plan runs in the controller: Ansible's controller API and the pure core, no SDK, no I/O, no module process."""
    path = PLUGINS / "action" / name
    pure = {"module_utils." + file[:-3] for file in PURE}
    breaches = [(line, imported) for line, imported in imports_of(path)
                if imported.startswith(SDK_PREFIXES) or imported.split(".")[0] in IO_MODULES or imported in IO_MODULES
                or (imported.startswith("module_utils.") and imported not in pure)]
    tree = ast.parse(path.read_text())
    breaches += [(node.lineno, node.attr) for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and node.attr in ("_execute_module", "_low_level_execute_command", "_transfer_file")]
    assert not breaches, "%s computes in the controller's process (the pure core, no module, no I/O): %s" % (name, breaches)


def shipped_files():
    for folder in ("plugins", "roles", "playbooks", "meta"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".yaml", ".md", ".j2"):
                yield path


def test_shipped_code_never_knows_the_twin():
    """No import of the twins, and none of the seed fixture's fixed ids, in what users install."""
    twin_id = re.compile(r"\b[a-z]+-[a-z0-9]*twi?n[a-z0-9]*\b")
    breaches = []
    for path in shipped_files():
        text = path.read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if "acr_twin" in line or "net_twin" in line or twin_id.search(line):
                breaches.append("%s:%d: %s" % (path.relative_to(ROOT), number, line.strip()[:100]))
    assert not breaches, "shipped files that know the twin:\n" + "\n".join(breaches)


def module_files():
    return sorted((PLUGINS / "modules").glob("*.py"))


@pytest.mark.parametrize("path", module_files(), ids=lambda path: path.name)
def test_a_module_file_defines_no_manager(path):
    """A module file is its documentation, its argument spec and main(): no class, no ensure_* function."""
    tree = ast.parse(path.read_text())
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    ensures = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith(("ensure", "_ensure"))]
    assert not classes and not ensures, "%s defines %s: managers live in module_utils" % (path.name, classes + ensures)
