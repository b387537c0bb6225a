from . import test_engine_vs_resource
from . import test_ticket_sla
from . import test_security
from . import test_cron_security
from . import test_sla_retime
from . import test_portal
from . import test_backoffice
from . import test_user_paths
