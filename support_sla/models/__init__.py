from . import resource_calendar
