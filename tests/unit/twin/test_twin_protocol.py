"""The twin's protocol: signatures, STS, errors, faults, admin -- driven by the real SDK clients."""

import json
import urllib.request

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from acr_twin.faults import parse_spec

ROLE_ARN = "acs:ram::1234567890123456:role/acr-access"


def assume_role(sdk_client, sdk_models, **config):
    sts = sdk_client("sts", **config)
    request = sdk_models("sts").AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="pytest", duration_seconds=900)
    return sts.assume_role(request).body


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_signed_request_is_accepted(sdk_client, sdk_models, twin, algorithm):
    body = assume_role(sdk_client, sdk_models, signature_algorithm=algorithm)
    assert body.credentials.access_key_id.startswith("STS.")
    assert body.assumed_role_user.arn.endswith("/acr-access/pytest")
    assert twin.calls()[-1]["action"] == "AssumeRole"
    assert twin.calls()[-1]["status"] == 200


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_wrong_secret_is_rejected(sdk_client, sdk_models, twin, algorithm):
    with pytest.raises(ClientException) as err:
        assume_role(sdk_client, sdk_models, access_key_secret="not-the-secret", signature_algorithm=algorithm)
    assert err.value.code in ("IncompleteSignature", "SignatureDoesNotMatch")
    assert err.value.status_code == 400
    assert "not-the-secret" not in str(err.value)


def test_unknown_key_is_rejected(sdk_client, sdk_models):
    with pytest.raises(ClientException) as err:
        assume_role(sdk_client, sdk_models, access_key_id="LTAIunknown")
    assert err.value.code == "InvalidAccessKeyId.NotFound"
    assert err.value.status_code == 404


def test_sts_credentials_are_accepted_and_checked(sdk_client, sdk_models):
    creds = assume_role(sdk_client, sdk_models).credentials
    again = assume_role(sdk_client, sdk_models, access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                        security_token=creds.security_token)
    assert again.credentials.access_key_id != creds.access_key_id
    with pytest.raises(ClientException) as err:
        assume_role(sdk_client, sdk_models, access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                    security_token="CAISforged")
    assert err.value.code == "InvalidSecurityToken.Malformed"


def test_sts_validation(sdk_client, sdk_models):
    sts = sdk_client("sts")
    models = sdk_models("sts")
    with pytest.raises(ClientException) as err:
        sts.assume_role(models.AssumeRoleRequest(role_session_name="pytest"))
    assert err.value.code == "MissingParameter" and "RoleArn" in err.value.message
    with pytest.raises(ClientException) as err:
        sts.assume_role(models.AssumeRoleRequest(role_arn="acs:ram::999:role/x", role_session_name="pytest"))
    assert err.value.code == "EntityNotExist.Role"
    with pytest.raises(ClientException) as err:
        sts.assume_role(models.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="pytest", duration_seconds=60))
    assert err.value.code == "InvalidParameter"


def test_legacy_core_sdk_v2_signature(twin):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest

    client = AcsClient(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, "cn-hangzhou")
    request = CommonRequest(domain=twin.endpoint, version="2015-04-01", action_name="AssumeRole")
    request.set_protocol_type("http")
    request.set_method("POST")
    request.add_query_param("RoleArn", ROLE_ARN)
    request.add_query_param("RoleSessionName", "legacy")
    answer = json.loads(client.do_action_with_exception(request))
    assert answer["Credentials"]["AccessKeyId"].startswith("STS.")

    wrong = AcsClient(DEFAULT_ACCESS_KEY_ID, "wrong", "cn-hangzhou")
    from aliyunsdkcore.acs_exception.exceptions import ServerException as LegacyServerException

    with pytest.raises(LegacyServerException) as err:
        wrong.do_action_with_exception(request)
    assert err.value.get_error_code() == "SignatureDoesNotMatch"


def test_unknown_action_and_version(sdk_client, twin):
    from alibabacloud_tea_openapi import utils_models
    from darabonba.runtime import RuntimeOptions

    client = sdk_client("sts")
    params = utils_models.Params(action="NoSuchAction", version="2015-04-01", protocol="HTTP", pathname="/", method="POST",
                                 auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    with pytest.raises(ClientException) as err:
        client.call_api(params, utils_models.OpenApiRequest(query={}), RuntimeOptions())
    assert err.value.code == "InvalidAction.NotFound"
    params.action, params.version = "AssumeRole", "1999-01-01"
    with pytest.raises(ClientException) as err:
        client.call_api(params, utils_models.OpenApiRequest(query={}), RuntimeOptions())
    assert err.value.code == "InvalidVersion"


@pytest.mark.parametrize("kind, exc_type, code", [
    ("throttle", ThrottlingException, "Throttling.User"),
    ("server_error", ServerException, "ServiceUnavailable"),
    ("busy", ClientException, "SystemBusy"),
])
def test_forced_faults(sdk_client, sdk_models, twin, kind, exc_type, code):
    twin.faults.force([{"action": "AssumeRole", "kind": kind, "count": 1}])
    with pytest.raises(exc_type) as err:
        assume_role(sdk_client, sdk_models)
    assert err.value.code == code
    assert assume_role(sdk_client, sdk_models).credentials.access_key_id  # the fault was used up


def test_lost_response_takes_effect(sdk_client, sdk_models, twin):
    # AssumeRole is a read: a lost response is only ever applied to writes, so it stays queued.
    twin.faults.force([{"action": "*", "kind": "lost_response", "count": 1}])
    assert assume_role(sdk_client, sdk_models).credentials.access_key_id
    assert twin.faults.forced and twin.faults.forced[0]["count"] == 1


def test_fault_spec_parsing():
    assert parse_spec("seed=3,throttle=0.5") == (3, {"throttle": 0.5})
    with pytest.raises(ValueError, match="unknown kind"):
        parse_spec("explode=1")
    with pytest.raises(ValueError, match="probability"):
        parse_spec("busy=2")


def test_random_faults_repeat_with_seed():
    from acr_twin.faults import Faults

    def run():
        faults = Faults("seed=11,throttle=0.3,server_error=0.2")
        return [faults.pick("DescribeVpcs") for _call in range(50)]

    first = run()
    assert first == run()
    assert any(first) and not all(first)


def _admin(twin, method, name, doc=None):
    data = json.dumps(doc).encode() if doc is not None else None
    request = urllib.request.Request("http://%s/_twin/%s" % (twin.endpoint, name), data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_admin_interface(sdk_client, sdk_models, twin):
    assume_role(sdk_client, sdk_models)
    calls = _admin(twin, "GET", "calls")
    assert calls["counts"] == {"AssumeRole": 1}
    assert calls["writes"] == 0
    state = _admin(twin, "GET", "state")
    assert "vpc-bp1twin0000000000001" in state["vpcs"]
    assert all(not key.startswith("_") for inst in state["cr_instances"].values() for key in inst)
    assert _admin(twin, "POST", "faults", [{"action": "AssumeRole", "kind": "busy"}])["forced"][0]["kind"] == "busy"
    assert _admin(twin, "POST", "config", {"time_scale": 0})["time_scale"] == 0
    assert _admin(twin, "POST", "reset", {})["ok"]
    assert _admin(twin, "GET", "calls")["calls"] == []


def test_lost_response_on_a_write_takes_effect_and_client_token_replays_it(sdk_client, sdk_models, twin):
    vpc = sdk_client("vpc")
    models = sdk_models("vpc")
    request = models.CreateRouteEntryRequest(region_id="cn-hangzhou", route_table_id="vtb-bp1twin0000000000001",
                                             destination_cidr_block="192.168.0.0/16", next_hop_id="i-bp1twin0000000000001",
                                             client_token="token-lost-1")
    twin.faults.force([{"action": "CreateRouteEntry", "kind": "lost_response"}])
    with pytest.raises(Exception) as err:  # the connection drops: a transport error, not an API answer
        vpc.create_route_entry(request)
    assert not isinstance(err.value, (ClientException, ServerException))
    made = [e for e in twin.cloud.route_entries.values() if e["DestinationCidrBlock"] == "192.168.0.0/16"]
    assert len(made) == 1  # the change took effect although no answer came back
    again = vpc.create_route_entry(request).body.route_entry_id
    assert again == made[0]["RouteEntryId"]
    assert len([e for e in twin.cloud.route_entries.values() if e["DestinationCidrBlock"] == "192.168.0.0/16"]) == 1
