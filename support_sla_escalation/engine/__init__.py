"""Prepaid consulting hours: plain Python, no dependency on Odoo (as support_sla's engine).

Its dates come from support_sla's engine (``add_months``, ``check_date``, ``SlaError``).
"""

from .prepaid import accrued_hours, annual_period, available_hours

__all__ = ["accrued_hours", "annual_period", "available_hours"]
