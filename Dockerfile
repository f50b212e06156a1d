# One image for every service: `python -m services.<name>` (see k8s/base/*.yaml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gen ./gen
COPY services ./services
COPY kgo ./kgo
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home kulturago
USER 10001
ENV PYTHONUNBUFFERED=1
