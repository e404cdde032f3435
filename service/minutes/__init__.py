"""Agendas, minutes with review and adoption, and action items of sessions."""
