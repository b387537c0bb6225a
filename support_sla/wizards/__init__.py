from . import support_entitlement_cancel
from . import resource_calendar_holiday_load
