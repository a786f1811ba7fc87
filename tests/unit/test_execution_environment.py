"""The execution environment: ansible-builder reads the collection's meta/execution-environment.yml and makes a build
context for an image with the collection (``ansible-builder create``: no container is built)."""

import os
import subprocess
import sys

import yaml

import ansible_collections

COLLECTIONS_PATH = os.path.dirname(list(ansible_collections.__path__)[0])
ROOT = os.path.join(COLLECTIONS_PATH, "ansible_collections", "alicloud", "acr_access")
BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")


def lines(path):
    with open(path, encoding="utf-8") as stream:
        return [line.split("#")[0].strip() for line in stream if line.split("#")[0].strip()]


def test_introspect_finds_the_collections_python_and_system_requirements():
    done = subprocess.run([BUILDER, "introspect", COLLECTIONS_PATH], capture_output=True, text=True, timeout=120, check=True)
    found = yaml.safe_load(done.stdout)
    # every requirement of requirements.txt and bindep.txt, attributed to this collection
    for kind, source in (("python", "requirements.txt"), ("system", "bindep.txt")):
        assert all(entry.endswith("# from collection alicloud.acr_access") for entry in found[kind]), found
        assert [entry.split("#")[0].strip() for entry in found[kind]] == lines(os.path.join(ROOT, source)), found


def test_create_writes_a_build_context_with_the_collection_and_its_requirements(tmp_path):
    requirements = tmp_path / "requirements.yml"
    requirements.write_text(yaml.safe_dump({"collections": [{"name": ROOT, "type": "dir"}]}))
    definition = tmp_path / "execution-environment.yml"
    definition.write_text(yaml.safe_dump({
        "version": 3,
        "images": {"base_image": {"name": "quay.io/ansible/awx-ee:latest"}},
        "dependencies": {"galaxy": str(requirements), "python": os.path.join(ROOT, "requirements.txt"),
                         "system": os.path.join(ROOT, "bindep.txt")},
    }))
    context = tmp_path / "context"
    subprocess.run([BUILDER, "create", "-f", str(definition), "-c", str(context), "--output-filename", "Containerfile"],
                   capture_output=True, text=True, timeout=120, check=True)
    build = context / "_build"
    assert yaml.safe_load((build / "requirements.yml").read_text())["collections"] == [{"name": ROOT, "type": "dir"}]
    assert lines(str(build / "requirements.txt")) == lines(os.path.join(ROOT, "requirements.txt"))
    assert lines(str(build / "bindep.txt")) == lines(os.path.join(ROOT, "bindep.txt"))
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile and "introspect" in containerfile
    # the collection's own definition is the one ansible-builder's introspect reads inside the image
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as stream:
        assert yaml.safe_load(stream)["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
