"""Fixtures of the role tests: a role run through ansible-playbook against the twin, its fact read back."""

import json
import os
import subprocess
import sys

import pytest

# One role, then its fact for the test (registry_routes takes the facts of the roles before it as extra vars)
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Run the role
      ansible.builtin.include_role:
        name: "alicloud.acr_access.{{ role }}"
    - name: Save its fact for the test
      ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.vars', role) | to_json }}"
        dest: "{{ fact_file }}"
        mode: "0600"
      check_mode: false
      changed_when: false  # the test's bookkeeping, not a change of the role
"""


@pytest.fixture
def play_role(playbook_env, tmp_path):
    """``play_role(role, check=False, endpoint=None, **extra_vars)`` -> (return code, output, the role's fact or None)."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    fact_file = tmp_path / "fact.json"

    def run(role, check=False, endpoint=None, **extra_vars):
        extra = dict(extra_vars, role=role, fact_file=str(fact_file))
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook), "-e", json.dumps(extra)]
        if check:
            command.append("--check")
        if fact_file.exists():
            fact_file.unlink()
        done = subprocess.run(command, env=playbook_env(endpoint), capture_output=True, text=True, timeout=600, check=False)
        fact = json.loads(fact_file.read_text()) if fact_file.exists() else None
        return done.returncode, done.stdout + done.stderr, fact

    return run
