"""awx/: the credential type injects what the modules read, and the survey asks inputs of the main playbook's roles."""

import json
import os

import jinja2
import yaml

import ansible_collections
from ansible_collections.alicloud.acr_access.plugins.module_utils.credentials import OPTION_ENVIRONMENT
from ansible_collections.alicloud.acr_access.plugins.modules import vpc_info
from acr_twin import seed_ids as ids

ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")
MAIN_ROLES = ("cen_connect", "registry_endpoints", "registry_routes", "registry_client")  # playbooks/cross_region_access.yml
SURVEY_TYPES = {"str": ("text", "textarea", "password", "multiplechoice"), "int": ("integer",), "float": ("float",)}


def load(name):
    with open(os.path.join(ROOT, "awx", name), encoding="utf-8") as stream:
        return json.load(stream) if name.endswith(".json") else yaml.safe_load(stream)


def injected(inputs):
    """The environment AWX gives the job: each injector rendered with the credential's inputs (absent ones empty)."""
    fields = {field["id"]: inputs.get(field["id"], "") for field in load("credential_type.yml")["inputs"]["fields"]}
    return {name: jinja2.Template(template).render(**fields) for name, template in load("credential_type.yml")["injectors"]["env"].items()}


def role_options():
    options = {}
    for role in MAIN_ROLES:
        with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as stream:
            options.update(yaml.safe_load(stream)["argument_specs"]["main"]["options"])
    return options


def test_the_injectors_set_exactly_the_variables_the_modules_read_for_each_input():
    credential_type = load("credential_type.yml")
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    assert set(fields) == set(OPTION_ENVIRONMENT)
    # each input goes to the first (preferred) variable of its option, and nothing else is injected
    assert credential_type["injectors"]["env"] == \
        {names[0]: "{{ %s }}" % option for option, names in OPTION_ENVIRONMENT.items()}
    assert {field for field, spec in fields.items() if spec.get("secret")} == {"access_key_secret", "security_token"}
    assert set(credential_type["inputs"]["required"]) == {"access_key_id", "access_key_secret"}
    assert credential_type["kind"] == "cloud" and set(credential_type["injectors"]) == {"env"}


def test_a_module_runs_on_the_injected_environment_alone(run_module, twin, monkeypatch):
    # the optional token left empty: AWX injects "" for it, which the modules must take as no token
    secret = "twin-secret-do-not-use-in-production"
    for name, value in injected({"access_key_id": "LTAI5tTwinAccessKey00001", "access_key_secret": secret}).items():
        monkeypatch.setenv(name, value)
    assert os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"] == ""
    since = twin.last_seq()
    result = run_module(vpc_info.main, {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "endpoint": "http://%s" % twin.endpoint})
    assert not result.get("failed"), result
    assert [vpc["vpc_id"] for vpc in result["vpcs"]] == [ids.REGISTRY_VPC]
    assert twin.calls(since, action="DescribeVpcs")  # signed with the injected key, no token
    assert secret not in json.dumps(result)


def test_the_survey_asks_inputs_of_the_main_playbooks_roles_with_their_types_and_choices():
    options = role_options()
    survey = load("survey.json")
    for question in survey["spec"]:
        name = question["variable"]
        assert name in options, "%s is no input of %s" % (name, ", ".join(MAIN_ROLES))
        option = options[name]
        assert question["type"] in SURVEY_TYPES[option.get("type", "str")], name
        if "choices" in option:
            assert question["type"] == "multiplechoice" and question["choices"] == option["choices"], name
            assert question["default"] in option["choices"], name
        if "default" in option and "default" in question and question["type"] != "text":
            assert question["default"] == option["default"], name
    asked = {question["variable"] for question in survey["spec"]}
    assert len(asked) == len(survey["spec"])
    # what the roles require (and the playbook does not pass itself) is asked, or is in the template's extra_vars
    template = load("job_template.yml")
    given = asked | set(template["extra_vars"])
    assert set(template["extra_vars"]) <= set(options)
    required = {name for name, option in options.items() if option.get("required")} - {"registry_client_endpoints"}
    assert required <= given, required - given
    # the inputs the playbook's header names as needed
    assert {"cen_connect_cen_name", "registry_endpoints_instance_name", "registry_routes_next_hop_instance_id"} <= asked
    assert template["playbook"] == "playbooks/cross_region_access.yml" and template["survey_enabled"] is True
    assert os.path.exists(os.path.join(ROOT, template["playbook"]))
