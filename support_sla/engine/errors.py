"""Errors raised by the SLA engine."""

INVALID_INPUT = "invalid_input"


class SlaError(ValueError):
    """Bad input or an impossible request.

    ``str(error)`` is an English sentence (logs, engine tests); ``code`` names the
    rule that refused the input and ``params`` its values, so that the Odoo layer
    can say the same in the reader's language. ``invalid_input`` marks values of
    the wrong type, which only a programming error can produce.
    """

    def __init__(self, message, code=INVALID_INPUT, **params):
        super().__init__(message)
        self.code = code
        self.params = params
