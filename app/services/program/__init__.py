"""The program's settings: every tunable number, and which activity kinds qualify for a status."""

from app.services.program.settings import ProgramSettings, kinds_for, load, out_of_reach, save
from app.services.program.status_rules import Offered, check_edit, requirement_label, unreachable_reason

__all__ = [
    "ProgramSettings", "kinds_for", "load", "out_of_reach", "save", "Offered", "check_edit",
    "requirement_label", "unreachable_reason"
]
