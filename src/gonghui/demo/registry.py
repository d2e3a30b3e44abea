"""`gonghui demo` loads each domain app's `demo.py` (a `load(*, out)` function) in app order."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings

__all__ = ["demo_loaders"]


def demo_loaders():
    for app in settings.GONGHUI_DOMAIN_APPS:
        name = f"gonghui.{app}.demo"
        if find_spec(name) is not None:
            module = import_module(name)
            if hasattr(module, "load"):
                yield app, module.load
