"""Server-rendered pages for people: the public schedule, sign-in, the session page that every
invite links to, and the delegate's own page. Controllers stay thin and call the same service
functions as the JSON API; templates live in templates/web/."""
