"""Make both addons' engines importable without Odoo.

Each addon's ``__init__.py`` imports its Odoo models; the engines do not need them, so
the packages are registered here by path without running those files.

Under Odoo both addons are subpackages of ``odoo.addons``, and the escalation engine
reaches support_sla's by a relative import (``from ...support_sla.engine import``): the
package ``addons`` plays that part here. Each module is also registered under its
short name (``support_sla.engine``), the same module object, hence one ``SlaError``.
"""

import importlib
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARENT = "addons"
# support_sla first: the escalation engine imports it.
ENGINES = ("support_sla", "support_sla_escalation")


def _package(name, path=None):
    package = types.ModuleType(name)
    package.__path__ = [str(path)] if path else []
    return package


if PARENT not in sys.modules:
    sys.modules[PARENT] = _package(PARENT)
    for addon in ENGINES:
        package = _package(f"{PARENT}.{addon}", ROOT / addon)
        sys.modules[f"{PARENT}.{addon}"] = package
        setattr(sys.modules[PARENT], addon, package)
        importlib.import_module(f"{PARENT}.{addon}.engine")
        prefix = f"{PARENT}.{addon}"
        for name, module in list(sys.modules.items()):
            if name == prefix or name.startswith(f"{prefix}."):
                sys.modules.setdefault(name[len(PARENT) + 1 :], module)
