"""Errors raised by the SLA engine."""


class SlaError(ValueError):
    """Bad input or an impossible request: the message is meant for a person.

    The Odoo layer turns it into a ``ValidationError``/``UserError`` unchanged.
    """
