"""Prepaid consulting hours: plain Python, no dependency on Odoo (as support_sla's engine).

Its dates come from support_sla's engine (``add_months``, ``check_date``, ``SlaError``).
"""

from .onsite import OnsiteUsage, onsite_hours_allowed, onsite_usage
from .prepaid import accrued_hours, annual_period, available_hours

__all__ = [
    "OnsiteUsage",
    "accrued_hours",
    "annual_period",
    "available_hours",
    "onsite_hours_allowed",
    "onsite_usage",
]
