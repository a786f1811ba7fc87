# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options of the modules that run on a client host (alicloud.acr_access.registry).

    DOCUMENTATION: the container engine, the CA bundle and the timeout of the modules that talk to the registry from a
    client; the module gives the default of O(timeout) and, where it says more, its own descriptions.
    ENDPOINTS: the three services a pull reaches - the registry, the auth service and OSS - each a domain and the
    addresses it must resolve to (the shape of the role registry_endpoints' fact).
    """

    DOCUMENTATION = r"""
options:
  engine:
    description: The container engine.
    type: str
    choices: [docker, podman]
    default: docker
  ca_path:
    description: A CA bundle (PEM) to verify the registry and its auth service with, instead of the host's trusted CAs.
    type: path
  timeout:
    description: Seconds for each connection and answer.
    type: float
"""

    ENDPOINTS = r"""
options:
  registry:
    description: The registry's domain and planned addresses.
    type: dict
    required: true
    suboptions:
      domain:
        description: The domain.
        type: str
        required: true
      addresses:
        description: The addresses it must resolve to (empty - any).
        type: list
        elements: str
        default: []
  auth:
    description: The auth service's domain and planned addresses (with auth domain takeover - the registry's).
    type: dict
    required: true
    suboptions:
      domain:
        description: The domain.
        type: str
        required: true
      addresses:
        description: The addresses it must resolve to (empty - any).
        type: list
        elements: str
        default: []
  oss:
    description: The OSS domain and planned addresses.
    type: dict
    required: true
    suboptions:
      domain:
        description: The domain.
        type: str
        required: true
      addresses:
        description: The addresses it must resolve to (empty - any).
        type: list
        elements: str
        default: []
"""
