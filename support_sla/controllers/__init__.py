from . import main
from . import portal
from . import sla_report
