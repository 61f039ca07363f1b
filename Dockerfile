# Production image: `serve` as a non-root user, SQLite under /app/data by default (use --db for PostgreSQL).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.lock pyproject.toml README.md ./
RUN pip install -r requirements.lock
COPY bot ./bot
COPY fluxos ./fluxos
COPY mensagens ./mensagens
COPY exemplos ./exemplos
COPY config.toml ./
RUN pip install --no-deps . && python -m bot check \
    && useradd --create-home --uid 10001 cobranca && mkdir -p /app/data && chown cobranca /app/data

USER cobranca
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)" || exit 1
CMD ["python", "-m", "bot", "serve"]
