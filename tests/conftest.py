"""Make ``support_sla.engine`` importable without Odoo.

``support_sla/__init__.py`` imports the Odoo models; the engine does not need
them, so the package is registered here by path without running that file.
"""

import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if "support_sla" not in sys.modules:
    _package = types.ModuleType("support_sla")
    _package.__path__ = [str(ROOT / "support_sla")]
    sys.modules["support_sla"] = _package
