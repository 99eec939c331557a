"""Pure scoring rules."""

from app.models import Mission


def points_for_mission(mission: Mission) -> int:
    """A mission's override if set, else its activity's reward band at this moment."""
    if mission.points_override is not None:
        return mission.points_override
    return mission.activity.reward_tier.points
