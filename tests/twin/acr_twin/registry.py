"""Which function answers which (product, action)."""

PRODUCT_VERSIONS = {
    "2016-04-28": "vpc",
    "2017-09-12": "cbn",
    "2018-12-01": "cr",
    "2015-04-01": "sts",
    "2020-04-15": "privatelink",
    "2014-05-26": "ecs",
}

READ_PREFIXES = ("Describe", "List", "Get", "Query", "Check")

_HANDLERS = {}


def action(product, name):
    """Register ``fn(cloud, params) -> dict`` as the answer to ``product``'s ``name``."""

    def register(fn):
        key = (product, name)
        if key in _HANDLERS:
            raise RuntimeError("%s.%s registered twice" % key)
        _HANDLERS[key] = fn
        return fn

    return register


def handler(product, name):
    return _HANDLERS.get((product, name))


def actions(product=None):
    return sorted(name for (prod, name) in _HANDLERS if product is None or prod == product)


def is_write(action_name):
    """True for actions that change state (every name the cloud does not use for reads)."""
    return not action_name.startswith(READ_PREFIXES) and action_name != "AssumeRole"
