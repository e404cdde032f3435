FROM python:3.11-slim
WORKDIR /srv/vdo
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango (with HarfBuzz) is what WeasyPrint prints circulars with; the Thai font comes from pip.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 && rm -rf /var/lib/apt/lists/*
# The locked versions first (a layer that changes only with the lock), then the package itself
# as a regular, not editable, install: the wheel carries the migrations and templates, so the
# image needs no checkout at run time.
COPY requirements.lock /tmp/src/
RUN pip install --no-cache-dir -r /tmp/src/requirements.lock
COPY pyproject.toml README.md /tmp/src/
COPY service /tmp/src/service
COPY alembic /tmp/src/alembic
COPY templates /tmp/src/templates
RUN pip install --no-cache-dir --no-deps /tmp/src && pip check && rm -rf /tmp/src
RUN useradd --system --home /srv/vdo vdo && chown -R vdo /srv/vdo
USER vdo
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["sh", "-c", "vdo db upgrade && vdo serve --host 0.0.0.0 --port 8000"]
