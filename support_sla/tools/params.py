"""System parameters of the SLA machinery."""


def positive_int_param(env, key, default):
    """A positive integer system parameter ``key``, or ``default``."""
    value = env["ir.config_parameter"].sudo().get_param(key)
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default
