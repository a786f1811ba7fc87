"""cen_instance's main() against the twin with the real SDK: create, idempotence, update, check mode, absent, bad input."""

from ansible_collections.alicloud.acr_access.plugins.modules.cen_instance import main


def test_create_then_rerun_changes_nothing(run_module, twin_args, twin):
    result = run_module(main, twin_args(name="acr-access", description="step 1"))
    assert result["changed"] is True and "failed" not in result
    cen = result["cen"]
    assert cen["cen_id"].startswith("cen-") and (cen["name"], cen["description"], cen["status"]) == ("acr-access", "step 1", "Active")
    assert result["diff"]["before"] == {} and result["diff"]["after"]["cen_id"] == cen["cen_id"]
    [create] = twin.calls(action="CreateCen")
    assert create["params"]["ClientToken"] and create["params"]["Name"] == "acr-access"
    since = twin.last_seq()
    again = run_module(main, twin_args(name="acr-access", description="step 1"))
    assert again["changed"] is False and again["cen"]["cen_id"] == cen["cen_id"]
    assert twin.writes(since) == []


def test_update_description_and_rename_by_id(run_module, twin_args, twin):
    cen_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    result = run_module(main, twin_args(cen_id=cen_id, name="renamed", description="new text"))
    assert result["changed"] is True
    assert (result["cen"]["name"], result["cen"]["description"]) == ("renamed", "new text")
    assert result["diff"]["before"]["name"] == "acr-access" and result["diff"]["after"]["name"] == "renamed"
    assert [c["action"] for c in twin.writes()] == ["CreateCen", "ModifyCenAttribute"]
    stored = twin.cloud.cens[cen_id]
    assert (stored["Name"], stored["Description"]) == ("renamed", "new text")


def test_check_mode_predicts_without_writes(run_module, twin_args, twin):
    result = run_module(main, twin_args(name="acr-access", _ansible_check_mode=True))
    assert result["changed"] is True and result["cen"]["cen_id"] is None and result["cen"]["name"] == "acr-access"
    assert twin.writes() == [] and twin.cloud.cens == {}
    cen_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    since = twin.last_seq()
    update = run_module(main, twin_args(cen_id=cen_id, description="x", _ansible_check_mode=True))
    assert update["changed"] is True and update["cen"]["description"] == "x"
    delete = run_module(main, twin_args(cen_id=cen_id, state="absent", _ansible_check_mode=True))
    assert delete["changed"] is True and delete["cen"] == {}
    assert twin.writes(since) == [] and twin.cloud.cens[cen_id]["Description"] == ""


def test_absent_deletes_and_is_idempotent(run_module, twin_args, twin):
    cen_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    result = run_module(main, twin_args(name="acr-access", state="absent"))
    assert result["changed"] is True and result["cen"] == {} and result["diff"]["before"]["cen_id"] == cen_id
    twin.settle()
    assert cen_id not in twin.cloud.cens
    since = twin.last_seq()
    again = run_module(main, twin_args(cen_id=cen_id, state="absent"))
    assert again["changed"] is False and twin.writes(since) == []


def test_unknown_cen_id_is_an_error_naming_it(run_module, twin_args, twin):
    result = run_module(main, twin_args(cen_id="cen-doesnotexist0000001"))
    assert result["failed"] is True and "cen_id" in result["msg"] and "cen-doesnotexist0000001" in result["msg"]
    assert twin.writes() == []


def test_name_carried_by_two_cens_is_an_error(run_module, twin_args, twin, make_module):
    from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
    module = make_module(twin_args())
    api.create_cen(module, "twice", None)
    api.create_cen(module, "twice", None)
    since = twin.last_seq()
    result = run_module(main, twin_args(name="twice"))
    assert result["failed"] is True and "'twice'" in result["msg"] and "cen_id" in result["msg"]
    assert twin.writes(since) == []


def test_delete_refused_while_transit_routers_exist(run_module, twin_args, twin, make_module):
    from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
    cen_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    api.create_transit_router(make_module(twin_args()), cen_id, "cn-hangzhou", None, None)
    result = run_module(main, twin_args(cen_id=cen_id, state="absent"))
    assert result["failed"] is True and result["error"]["operation"] == "DeleteCen"
    assert result["error"]["code"] == "InvalidOperation.TransitRouterExist" and result["error"]["request_id"]


def test_create_uses_the_waiters_answer(run_module, twin_args, twin):
    run_module(main, twin_args(name="acr-access"))
    [create] = twin.calls(action="CreateCen")
    assert len(twin.calls(since=create["seq"], action="DescribeCens")) == 1  # the wait's read, no read again after it


def test_deleting_cen_counts_as_absent(run_module, twin_args, twin, monkeypatch):
    old_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    twin.set_time_scale(0.3)  # the deletion takes 1.5 s: still Deleting when the next task looks
    monkeypatch.setenv("ACR_ACCESS_WAIT_SCALE", "0.3")  # the waiters pace on the twin's clock
    assert run_module(main, twin_args(name="acr-access", state="absent", wait=False))["changed"] is True
    assert twin.cloud.cens[old_id]["Status"] == "Deleting"
    result = run_module(main, twin_args(name="acr-access"))
    assert result["changed"] is True and result["cen"]["cen_id"] != old_id and result["cen"]["status"] == "Active"
    assert old_id not in twin.cloud.cens  # waited for it to be gone before creating the new one
    assert [c["action"] for c in twin.writes()] == ["CreateCen", "DeleteCen", "CreateCen"]


def test_deleting_cen_by_id_is_an_error(run_module, twin_args, twin):
    cen_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    twin.set_time_scale(1000.0)
    run_module(main, twin_args(cen_id=cen_id, state="absent", wait=False))
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen_id))
    assert result["failed"] is True and "cen_id: CEN instance %s is being deleted" % cen_id in result["msg"]
    assert twin.writes(since) == []


def test_no_write_once_the_wait_spent_wait_timeout(run_module, twin_args, twin):
    old_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    twin.set_time_scale(0.1)  # gone 0.5 s after the delete: inside the 1 s budget, but only seen by the read at its end
    run_module(main, twin_args(name="acr-access", state="absent", wait=False))
    since = twin.last_seq()
    result = run_module(main, twin_args(name="acr-access", wait_timeout=1))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout" and "before CreateCen" in result["msg"]
    assert twin.writes(since) == [] and old_id not in twin.cloud.cens


def test_failure_names_the_cen_by_id_or_by_name(run_module, twin_args, twin, make_module):
    from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
    cen_id = run_module(main, twin_args(name="acr-access"))["cen"]["cen_id"]
    api.create_transit_router(make_module(twin_args()), cen_id, "cn-hangzhou", None, None)
    by_id = run_module(main, twin_args(cen_id=cen_id, state="absent"))
    by_name = run_module(main, twin_args(name="acr-access", state="absent"))
    assert by_id["msg"].startswith("Failed to manage the CEN instance %s: DeleteCen failed" % cen_id)
    assert by_name["msg"].startswith("Failed to manage the CEN instance acr-access: DeleteCen failed")


def test_input_errors_fail_with_their_own_message(run_module, twin_args, twin):
    result = run_module(main, twin_args(cen_id="cen-doesnotexist0000001"))
    assert result["msg"] == "cen_id: CEN instance cen-doesnotexist0000001 not found; leave cen_id out and give name to create one"
    assert result["error"]["code"] == "InvalidInput"
