"""lazy_sdk_models: an SDK's models loaded class by class, the same classes as the eager import, and every other layout
left to the normal import.

The real SDKs are checked in fresh interpreters (this process has imported some of their models already, which the
function then rightly leaves alone); the other layouts with small packages written here.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import ansible_collections
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import lazy_sdk_models

PACKAGES = ["alibabacloud_vpc20160428", "alibabacloud_cbn20170912", "alibabacloud_cr20181201", "alibabacloud_ecs20140526",
            "alibabacloud_sts20150401", "alibabacloud_privatelink20200415"]

LAZY = textwrap.dedent("""
    import importlib, json, sys
    from ansible_collections.alicloud.acr_access.plugins.module_utils.client import lazy_sdk_models
    package = sys.argv[1]
    installed = lazy_sdk_models(package)
    importlib.import_module(package + ".client")
    models = importlib.import_module(package + ".models")
    after_client = sorted(name for name in sys.modules if name.startswith(package + ".models."))
    from_import = __import__(package, fromlist=["models"]).models is models
    listed = sorted(name for name in dir(models) if name[:1].isupper())  # before any class is loaded
    classes = dict((name, getattr(models, name)) for name in models.__all__)
    print(json.dumps({"installed": installed, "after_client": after_client, "from_import": from_import, "listed": listed,
                      "classes": dict((name, "%s.%s" % (cls.__module__, cls.__qualname__)) for name, cls in classes.items())}))
""")
EAGER = textwrap.dedent("""
    import importlib, json, sys
    models = importlib.import_module(sys.argv[1] + ".models")
    print(json.dumps(dict((name, "%s.%s" % (value.__module__, value.__qualname__)) for name, value in vars(models).items()
                          if isinstance(value, type) and value.__module__.startswith(sys.argv[1] + ".models."))))
""")


def _run(script, package):
    # the collection as this process finds it (ansible-test and make pytest put it in different places)
    path = os.pathsep.join([os.path.dirname(list(ansible_collections.__path__)[0])] + sys.path)
    done = subprocess.run([sys.executable, "-c", script, package], capture_output=True, text=True, check=False,
                          env=dict(os.environ, PYTHONPATH=path))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("package", PACKAGES)
def test_an_sdk_client_loads_no_model_until_a_call_and_then_the_same_classes(package):
    lazy = _run(LAZY, package)
    eager = _run(EAGER, package)
    assert lazy["installed"] is True
    assert lazy["after_client"] == []  # the client imported, not one model file yet
    assert lazy["from_import"]  # `from <package> import models`, as the SDK's client and models write it
    assert lazy["classes"] == eager and len(eager) > 10
    assert lazy["listed"] == sorted(eager)  # dir() as the eager package's (tests list an SDK's requests with it)


def _package(tmp_path, name, files):
    for path, text in files.items():
        target = tmp_path / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return name


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield lambda name, files: _package(tmp_path, name, files)
    for name in set(sys.modules) - before:
        del sys.modules[name]


GENERATED = {
    "__init__.py": "",
    "models/__init__.py": """\
        # -*- coding: utf-8 -*-
        from __future__ import annotations

        from ._thing_request import ThingRequest
        from ._thing_response import ThingResponse

        __all__ = [
            ThingRequest,
            ThingResponse
        ]
        """,
    "models/_thing_request.py": "class ThingRequest:\n    pass\n",
    "models/_thing_response.py": "from %s import models as main_models\n\n\nclass ThingResponse:\n"
                                 "    def body(self):\n        return main_models.ThingRequest()\n",
}


def test_a_generated_layout_is_loaded_class_by_class(fake_packages):
    name = fake_packages("fake_sdk_generated", dict(GENERATED, **{
        "models/_thing_response.py": GENERATED["models/_thing_response.py"] % "fake_sdk_generated"}))
    assert lazy_sdk_models(name) is True
    models = __import__(name + ".models", fromlist=["models"])
    assert [key for key in sys.modules if key.startswith(name + ".models.")] == []
    assert type(models.ThingResponse().body()).__name__ == "ThingRequest"  # a model reaching another through the package
    assert sorted(key for key in sys.modules if key.startswith(name + ".models.")) == [
        name + ".models._thing_request", name + ".models._thing_response"]
    with pytest.raises(AttributeError, match="no attribute 'Missing'"):
        getattr(models, "Missing")
    assert lazy_sdk_models(name) is False  # once


@pytest.mark.parametrize("files", [
    {"__init__.py": "", "models.py": "class ThingRequest:\n    pass\n"},  # one models.py (older SDKs)
    dict(GENERATED, **{"models/__init__.py": GENERATED["models/__init__.py"] + "from ._thing_request import *\n"}),  # more than the index
    {"__init__.py": "", "models/__init__.py": "from ._thing_request import ThingRequest, Other\n",
     "models/_thing_request.py": "class ThingRequest:\n    pass\n\n\nclass Other:\n    pass\n"},  # another statement form
    {"__init__.py": "from . import models\n", "models/__init__.py": "from ._thing_request import ThingRequest\n",
     "models/_thing_request.py": "class ThingRequest:\n    pass\n"},  # the package imports its models itself
    dict(GENERATED, **{"models/__init__.py": GENERATED["models/__init__.py"] + "DEFAULT_THING = ThingRequest\n"}),  # a statement
], ids=["single file", "star import", "two names", "imported by the package", "another statement"])
def test_any_other_layout_is_left_to_the_normal_import(fake_packages, files):
    name = fake_packages("fake_sdk_other", dict((path, text % "fake_sdk_other" if "%s" in text else text) for path, text in files.items()))
    assert lazy_sdk_models(name) is False
    models = __import__(name + ".models", fromlist=["models"])
    assert models.ThingRequest.__name__ == "ThingRequest"


def test_a_package_that_is_not_installed_is_left_alone():
    assert lazy_sdk_models("alibabacloud_not_installed20990101") is False
    assert "alibabacloud_not_installed20990101.models" not in sys.modules
