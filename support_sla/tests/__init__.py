from . import test_engine_vs_resource
