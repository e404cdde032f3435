"""Numbered circulars: notices of meeting, adopted minutes, cancellations and reminders, rendered
in English and Thai into HTML, plain text, PDF and DOCX, and kept exactly as issued."""
