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
WORKDIR /srv
COPY pyproject.toml README.md ./
COPY app ./app
COPY workers ./workers
COPY graphql_schema ./graphql_schema
COPY server ./server
COPY client ./client
COPY --from=dashboard /dashboard/dist ./server/dashboard/dist
COPY --from=graphiql /graphiql/dist ./server/graphiql/dist
RUN pip install --no-cache-dir .
ENV PORT=8000
CMD ["sh", "-c", "exec uvicorn server.asgi:create_app --factory --host 0.0.0.0 --port ${PORT} --timeout-graceful-shutdown 5"]
