from . import support_escalation_reason
from . import support_escalation
from . import res_company
from . import res_config_settings
from . import helpdesk_ticket_team
from . import helpdesk_ticket
from . import support_entitlement
from . import account_analytic_line
