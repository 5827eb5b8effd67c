FROM python:3.11-slim
WORKDIR /srv
COPY pyproject.toml README.md ./
COPY app ./app
COPY workers ./workers
COPY graphql_schema ./graphql_schema
RUN pip install --no-cache-dir .
ENV PORT=8000
CMD ["sh", "-c", "uvicorn graphql_schema.asgi:create_app --factory --host 0.0.0.0 --port ${PORT}"]
