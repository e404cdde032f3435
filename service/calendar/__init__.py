"""Calendar output: invites (iMIP REQUEST/CANCEL) and subscription feeds.

`service.calendar.ics` is the pure iCalendar builder (plain data in, bytes out, no DB or HTTP);
the rules it follows are in docs/domain.md, "Calendar rules".
"""
