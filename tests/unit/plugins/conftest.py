"""Fixtures for module and module_utils tests: run a module's main(), build the module base, clean env."""

import json
import os

import pytest
from ansible.module_utils import _internal as module_utils_internal
from ansible.module_utils.common import warnings
from ansible.module_utils.testing import patch_module_args

TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"

# Every environment variable the collection (or the SDK's credential chain) reads.
CREDENTIAL_ENV = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_REGION_ID",
    "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_REGION",
    "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ACR_ACCESS_ENDPOINT",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No credential from the developer's shell or home directory leaks into a test."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def run_module(capsys, monkeypatch):
    """``run_module(main, args)`` -> the module's JSON result (``failed`` set on failure)."""
    # A test that loads a controller plugin (a filter, an action) marks the process as the controller, and a module's
    # warnings then go to the controller's display instead of its result: a module runs on a target, so say so.
    monkeypatch.setattr(module_utils_internal, "is_controller", False)

    def run(main, args):
        # Warnings and deprecations are process-wide in ansible-core: start each run without the last one's.
        warnings._global_warnings.clear()  # pylint: disable=protected-access
        warnings._global_deprecations.clear()  # pylint: disable=protected-access
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                main()
        return json.loads(capsys.readouterr().out)

    return run


@pytest.fixture
def twin_args(twin):
    """Module arguments that reach the twin with its default key pair."""

    def build(**extra):
        args = dict(access_key_id=TWIN_KEY_ID, access_key_secret=TWIN_SECRET, endpoint="http://%s" % twin.endpoint, region="cn-hangzhou")
        args.update(extra)
        return args

    return build


@pytest.fixture
def playbook_env(twin):
    """``playbook_env(endpoint=None)``: the environment of an ansible-playbook run against the twin (or ``endpoint``):
    this collection, the twin's key pair, quiet output."""
    import ansible_collections

    def build(endpoint=None):
        return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.dirname(list(ansible_collections.__path__)[0]),
                    ACR_ACCESS_ENDPOINT="http://%s" % (endpoint or twin.endpoint), ALIBABA_CLOUD_ACCESS_KEY_ID=TWIN_KEY_ID,
                    ALIBABA_CLOUD_ACCESS_KEY_SECRET=TWIN_SECRET, ANSIBLE_LOCALHOST_WARNING="False",
                    ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_NOCOLOR="1")

    return build


@pytest.fixture
def make_module():
    """``make_module(args, argument_spec=None)``: an AnsibleAlicloudModule built from ``args``."""
    from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule

    def build(args, argument_spec=None, **kwargs):
        with patch_module_args(args):
            return AnsibleAlicloudModule(argument_spec=argument_spec or {}, **kwargs)

    return build
