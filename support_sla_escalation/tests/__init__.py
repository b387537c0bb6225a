from . import test_escalation
from . import test_billable
from . import test_prepaid
from . import test_invoicing
from . import test_portal
from . import test_security
from . import test_user_paths
from . import test_tours
