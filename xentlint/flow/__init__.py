"""Value-kind analysis, computed once per file and read by every flow rule."""
from xentlint.flow.analysis import FlowAnalysis
from xentlint.flow.sites import LossSite, loss_sites
from xentlint.flow.values import UNKNOWN, Kind, Origin, Value

__all__ = ["FlowAnalysis", "LossSite", "loss_sites", "UNKNOWN", "Kind", "Origin", "Value"]
