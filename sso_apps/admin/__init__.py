"""Admin Portal screens of sso_apps, one module per screen family; all are registered here."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
