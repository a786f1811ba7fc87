"""Shared fixtures: a fresh cloud twin per test, and real SDK clients pointed at it."""

import importlib
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "twin"))

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin, TwinServer  # noqa: E402

SDK_MODULES = {
    "vpc": "alibabacloud_vpc20160428",
    "cbn": "alibabacloud_cbn20170912",
    "cr": "alibabacloud_cr20181201",
    "sts": "alibabacloud_sts20150401",
    "ecs": "alibabacloud_ecs20140526",
}


@pytest.fixture(scope="session")
def twin_server():
    """One server for the session; each test gets it back reset to the seed fixture."""
    twin = Twin(fixture="seed", time_scale=0.0)
    with TwinServer(twin) as server:
        yield server


@pytest.fixture
def twin(twin_server):
    twin = twin_server.twin
    twin.reset("seed")
    twin.set_time_scale(0.0)
    yield twin
    twin.reset("seed")
    twin.set_time_scale(0.0)


def make_sdk_client(product, endpoint, region="cn-hangzhou", access_key_id=DEFAULT_ACCESS_KEY_ID,
                    access_key_secret=DEFAULT_ACCESS_KEY_SECRET, security_token=None, signature_algorithm=None):
    from alibabacloud_tea_openapi.utils_models import Config

    module = importlib.import_module(SDK_MODULES[product] + ".client")
    config = Config(access_key_id=access_key_id, access_key_secret=access_key_secret, security_token=security_token,
                    endpoint=endpoint, protocol="http", region_id=region, read_timeout=10000, connect_timeout=5000)
    if signature_algorithm:
        config.signature_algorithm = signature_algorithm
    return module.Client(config)


@pytest.fixture
def sdk_client(twin):
    """``sdk_client(product, region='cn-hangzhou', **config)``: a real SDK client against the twin."""

    def build(product, region="cn-hangzhou", **kwargs):
        return make_sdk_client(product, twin.endpoint, region=region, **kwargs)

    return build


@pytest.fixture
def sdk_models():
    """``sdk_models('vpc').DescribeVpcsRequest(...)``: the SDK's request models."""

    def load(product):
        return importlib.import_module(SDK_MODULES[product] + ".models")

    return load
