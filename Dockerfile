FROM python:3.11-slim
WORKDIR /srv/vdo
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# A regular (not editable) install: the wheel carries the migrations, so the image needs no
# checkout at run time.
COPY pyproject.toml README.md /tmp/src/
COPY service /tmp/src/service
COPY alembic /tmp/src/alembic
RUN pip install --no-cache-dir /tmp/src && rm -rf /tmp/src
RUN useradd --system --home /srv/vdo vdo && chown -R vdo /srv/vdo
USER vdo
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["sh", "-c", "vdo db upgrade && vdo serve --host 0.0.0.0 --port 8000"]
