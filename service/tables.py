"""Imports every area's table models so that `SQLModel.metadata` is complete.

Every entry point imports this one module instead of listing areas: the application
(`service.app`), the command line and worker (`service.cli`), Alembic's env.py, the tests and
the benchmarks. Importing it also registers the calendar version counter's flush hook
(`service.calendar.models`), so that no process can change data behind the feeds' backs.
`service.db` (the engine factory) imports no model, so this depends on it, never the reverse.
"""

from service.auth import models as auth_models
from service.calendar import models as calendar_models
from service.calendars import models as calendars_models
from service.circulars import models as circulars_models
from service.conferencing import models as conferencing_models
from service.db import metadata
from service.delivery import models as delivery_models
from service.directory import models as directory_models
from service.library import models as library_models
from service.minutes import models as minutes_models
from service.news import models as news_models
from service.scheduling import models as scheduling_models

__all__ = [
    "auth_models",
    "calendar_models",
    "calendars_models",
    "circulars_models",
    "conferencing_models",
    "delivery_models",
    "directory_models",
    "library_models",
    "metadata",
    "minutes_models",
    "news_models",
    "scheduling_models",
]
