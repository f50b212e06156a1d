# One image for every service: `python -m services.<name>` (see k8s/base/*.yaml).
FROM python:3.11-slim
# gid-service's speech engine (espeak-ng with its voices) and encoder (ffmpeg).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gen ./gen
COPY services ./services
COPY kgo ./kgo
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home kulturago
USER 10001
ENV PYTHONUNBUFFERED=1
