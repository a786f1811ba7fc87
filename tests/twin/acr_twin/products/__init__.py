"""Importing this package registers every product's handlers."""

from acr_twin.products import _vpc_legacy, cbn, cr, ecs, privatelink, sts, vpc  # noqa: F401 pylint: disable=unused-import
