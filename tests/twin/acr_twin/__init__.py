"""acr_twin: a local emulator of the Alibaba Cloud VPC, CBN, CR and STS APIs that the real SDKs talk to."""

from acr_twin.server import TwinServer
from acr_twin.twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin

__all__ = ["Twin", "TwinServer", "DEFAULT_ACCESS_KEY_ID", "DEFAULT_ACCESS_KEY_SECRET"]
