"""Official calendars: the dated exceptions governments announce, kept by the secretariat.

Extra days off, days that are not off after all, make-up working days and dated office hours
(Ramadan hours), per country or subdivision, each with a name, a source and who recorded it; and
whole official lists imported for a year, which confirm that year's days off. The pure planner gets
them as `service.scheduling.official_calendar.OfficialCalendar` values (`queries`).
"""
