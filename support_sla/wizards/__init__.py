from . import support_entitlement_cancel
