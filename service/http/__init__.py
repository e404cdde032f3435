"""The HTTP edge shared by every area: problem+json responses for errors."""
