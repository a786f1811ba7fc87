"""The network twin: namespaces whose routes follow the cloud twin's state (see twin.py, topology.py, reconciler.py)."""

from net_twin.twin import NetTwin  # noqa: F401
