# One image for every Lorekeeper service; the compose file picks the command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY projections projections
COPY api api
COPY infra infra
RUN pip install --no-cache-dir .
ENV LOREKEEPER_DATA_DIR=/var/lib/lorekeeper
EXPOSE 8000
CMD ["lorekeeper", "serve", "--host", "0.0.0.0", "--port", "8000"]
