# The dashboard's script, bundled by esbuild (the API serves it at /dashboard).
FROM node:20-slim AS dashboard
WORKDIR /dashboard
COPY server/dashboard/package.json server/dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY server/dashboard/src ./src
RUN npm run build

# GraphiQL's script and styles, bundled the same way (the API serves them at /graphql).
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY server/graphiql/package.json server/graphiql/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY server/graphiql/src ./src
RUN npm run build

FROM python:3.11-slim
# The package is installed (not run from its source): the pages and bundles the API serves are
# its package data. tests/integration/deploy/test_wheel.py does the same outside the checkout.
COPY pyproject.toml README.md /src/
COPY app /src/app
COPY workers /src/workers
COPY graphql_schema /src/graphql_schema
COPY server /src/server
COPY client /src/client
COPY --from=dashboard /dashboard/dist /src/server/dashboard/dist
COPY --from=graphiql /graphiql/dist /src/server/graphiql/dist
RUN pip install --no-cache-dir /src && rm -rf /src
WORKDIR /srv
ENV PORT=8000 API_PROCESSES=1
# API_PROCESSES: the API's processes (uvicorn workers sharing the port); one per core suits it.
CMD ["sh", "-c", "exec uvicorn server.asgi:create_app --factory --host 0.0.0.0 --port ${PORT} --workers ${API_PROCESSES} --timeout-graceful-shutdown 5"]
