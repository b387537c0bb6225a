from . import support_escalate_wizard
