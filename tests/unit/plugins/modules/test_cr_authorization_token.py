"""cr_authorization_token against the twin: the login, its expiry, the STS cap, and that Ansible never prints the password.

The no_log tests run the module through ansible-playbook -vvv / -vvvv (a subprocess talking to the in-process twin
on 127.0.0.1) and look for the password in everything Ansible wrote.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from acr_twin.products.cr import valid_token

from ansible_collections.alicloud.acr_access.plugins.modules import cr_authorization_token
from ansible_collections.alicloud.acr_access.plugins.modules.cr_authorization_token import main

INSTANCE = "cri-twin0000000000001"
TWIN_ROLE = "acs:ram::1234567890123456:role/ansible"
TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"
# .../ansible_collections/alicloud/acr_access/plugins/modules/x.py -> the directory that holds ansible_collections
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(cr_authorization_token.__file__), *[os.pardir] * 5))


@pytest.fixture(autouse=True)
def no_leftover_warnings():
    """Ansible keeps module warnings in a process-wide registry: a warning of an earlier test must not show up here."""
    from ansible.module_utils.common import warnings
    warnings._global_warnings.clear()  # pylint: disable=protected-access
    yield
    warnings._global_warnings.clear()  # pylint: disable=protected-access


def test_returns_a_login_the_registry_accepts(run_module, twin_args, twin):
    before = time.time()
    result = run_module(main, twin_args(instance_id=INSTANCE, expires_in_hours=2))
    assert result["changed"] is False and "failed" not in result
    assert result["username"] == "cr_temp_user" and result["instance_id"] == INSTANCE
    assert valid_token(twin.cloud, INSTANCE, result["username"], result["password"])
    assert before + 7200 - 5 <= result["expires_at_epoch"] <= time.time() + 7200
    assert result["expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(result["expires_at_epoch"]))
    assert 7200 - 60 <= result["expires_in_seconds"] <= 7200
    assert (result["requested_expires_in_seconds"], result["capped"]) == (7200, False)
    assert "warnings" not in result and "diff" not in result
    [call] = twin.calls(action="GetAuthorizationToken")
    assert call["params"]["ExpiresInHours"] == "2"


def test_by_name_and_in_check_mode(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_name="acr-twin", _ansible_check_mode=True))
    assert result["changed"] is False and result["instance_id"] == INSTANCE
    assert valid_token(twin.cloud, INSTANCE, result["username"], result["password"])
    assert twin.counts() == {"ListInstance": 1, "GetAuthorizationToken": 1}


def test_sts_credentials_cap_the_token_honestly(run_module, twin_args, twin):
    # The twin's AssumeRole keys live 3600 s: asking 24 hours gets at most one.
    result = run_module(main, twin_args(instance_id=INSTANCE, expires_in_hours=24, ram_role_arn=TWIN_ROLE))
    assert result["capped"] is True and result["requested_expires_in_seconds"] == 86400
    assert result["expires_in_seconds"] <= 3600
    [warning] = result["warnings"]
    text = json.dumps(warning)
    assert "sooner than the 24 hour(s) asked" in text and "STS" in text and result["expires_at"] in text
    assert result["password"] not in text


def test_one_hour_with_fresh_sts_keys_is_not_capped(run_module, twin_args):
    result = run_module(main, twin_args(instance_id=INSTANCE, ram_role_arn=TWIN_ROLE))
    assert result["capped"] is False and "warnings" not in result, result.get("warnings")


@pytest.mark.parametrize("hours", [0, 25, -1])
def test_hours_out_of_range_fail_before_any_call(run_module, twin_args, twin, hours):
    result = run_module(main, twin_args(instance_id=INSTANCE, expires_in_hours=hours))
    assert result["failed"] is True and "expires_in_hours must be from 1 to 24" in result["msg"]
    assert twin.calls() == []


def test_unknown_instance_is_a_clear_error(run_module, twin_args):
    result = run_module(main, twin_args(instance_id="cri-doesnotexist00001"))
    assert result["failed"] is True and result["error"]["code"] == "INSTANCE_NOT_EXIST"
    assert "cri-doesnotexist00001 does not exist in region cn-hangzhou" in result["msg"]


def test_a_stopped_instance_is_a_clear_error(run_module, twin_args, twin):
    twin.cloud.cr_instances[INSTANCE]["InstanceStatus"] = "STOPPED"
    result = run_module(main, twin_args(instance_id=INSTANCE))
    assert result["failed"] is True and result["error"]["code"] == "INSTANCE_STATUS_NOT_SUPPORT"
    assert "is not RUNNING" in result["msg"]


# -- through ansible-playbook -----------------------------------------------------------------------

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Get a registry login
      alicloud.acr_access.cr_authorization_token:
        instance_id: {instance}
        expires_in_hours: 2
      register: login
      {task_no_log}

    - name: Keep the registered password for the test (a no_log task, as documented)
      ansible.builtin.copy:
        content: "{{{{ login.password }}}}"
        dest: "{password_file}"
        mode: "0600"
      no_log: true

    - name: Use the result's other fields in the open
      ansible.builtin.debug:
        msg: "user {{{{ login.username }}}} until {{{{ login.expires_at }}}} capped {{{{ login.capped }}}}"
"""


def run_playbook(twin, tmp_path, task_no_log, verbosity):
    password_file = tmp_path / "password"
    text = PLAYBOOK.format(instance=INSTANCE, password_file=password_file, task_no_log="no_log: true" if task_no_log else "")
    process = ansible_playbook(twin, tmp_path, verbosity, text)
    assert process.returncode == 0, process.stdout + process.stderr
    password = password_file.read_text()
    written = process.stdout + process.stderr + (tmp_path / "ansible.log").read_text()
    return password, written


def ansible_playbook(twin, tmp_path, verbosity, text):
    """ansible-playbook on ``text`` against the twin; the finished process (its log in tmp_path/ansible.log)."""
    playbook = tmp_path / "token.yml"
    playbook.write_text(text)
    (tmp_path / "inventory").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_LOG_PATH=str(tmp_path / "ansible.log"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ACR_ACCESS_ENDPOINT="http://%s" % twin.endpoint, ALIBABA_CLOUD_REGION_ID="cn-hangzhou",
               ALIBABA_CLOUD_ACCESS_KEY_ID=TWIN_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=TWIN_SECRET)
    env.pop("PYTHONPATH", None)  # ansible-test units puts a module_utils-only "ansible" there
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(tmp_path / "inventory"), verbosity, str(playbook)]
    return subprocess.run(command, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("task_no_log, verbosity", [(True, "-vvv"), (False, "-vvv"), (False, "-vvvv")])
def test_ansible_never_prints_the_password(twin, tmp_path, task_no_log, verbosity):
    password, written = run_playbook(twin, tmp_path, task_no_log, verbosity)
    # The registered variable holds a working password...
    assert len(password) >= 16 and valid_token(twin.cloud, INSTANCE, "cr_temp_user", password)
    # ...that appears nowhere in what Ansible printed or logged, with or without no_log on the task.
    assert password not in written
    assert "the output has been hidden" in written
    assert "user cr_temp_user until " in written and "capped False" in written  # the rest of the result is usable


FAILING_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Ask for too long a login
      alicloud.acr_access.cr_authorization_token:
        instance_id: {instance}
        expires_in_hours: 30
      ignore_errors: true

    - name: Ask for a login to an instance that does not exist
      alicloud.acr_access.cr_authorization_token:
        instance_id: cri-doesnotexist00001
      ignore_errors: true

    - name: A good login still never shows its password
      alicloud.acr_access.cr_authorization_token:
        instance_id: {instance}
      register: login

    - name: Keep the password for the test
      ansible.builtin.copy:
        content: "{{{{ login.password }}}}"
        dest: "{password_file}"
        mode: "0600"
      no_log: true
"""


def test_a_failure_shows_its_message_and_a_success_still_hides_the_password(twin, tmp_path):
    password_file = tmp_path / "password"
    process = ansible_playbook(twin, tmp_path, "-vvv", FAILING_PLAYBOOK.format(instance=INSTANCE, password_file=password_file))
    written = process.stdout + process.stderr + (tmp_path / "ansible.log").read_text()
    assert process.returncode == 0, written
    # The failed results themselves are shown (not only ansible-core's one-line "Task failed" summary).
    assert '"msg": "expires_in_hours must be from 1 to 24, not 30"' in process.stdout
    assert "cri-doesnotexist00001 does not exist in region cn-hangzhou" in process.stdout
    assert '"error": {' in process.stdout  # the API error's code and request id, for the user
    password = password_file.read_text()
    assert len(password) >= 16 and password not in written
    assert process.stdout.count("the output has been hidden") == 2  # the good login and the no_log copy only
