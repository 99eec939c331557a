"""The default catalog lives with the program set-up (app/services/missions/default_catalog.py): the demo and
`flask setup` load the same bands and activities."""

from app.services.missions.default_catalog import ACTIVITIES, BANDS, ActivitySeed, load_catalog

__all__ = ["ACTIVITIES", "BANDS", "ActivitySeed", "load_catalog"]
