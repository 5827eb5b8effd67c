// GraphiQL for the API, from npm packages bundled here: nothing is loaded from a CDN, so the
// playground works offline and behind strict firewalls. The token (the dashboard's, or a
// `?token=` link) goes in the Authorization header of queries and of subscriptions.
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { createClient } from "graphql-ws";
import "graphiql/graphiql.css";

const params = new URLSearchParams(location.search);
const linked = params.get("token");
if (linked) {
  localStorage.setItem("bulkActionsToken", linked);
  params.delete("token");
  history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
}
const token = localStorage.getItem("bulkActionsToken") || "";
const authorization = token ? { Authorization: `Bearer ${token}` } : {};
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;

const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  headers: authorization,
  wsClient: createClient({ url: wsUrl, connectionParams: authorization }),
});

createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    // `?q=`: `?query=` would be a GraphQL request over GET, answered as JSON.
    defaultQuery: params.get("q") || "{ bulkActions(first: 5) { edges { node { id status } } } }",
    defaultHeaders: token ? JSON.stringify(authorization, null, 2) : undefined,
    shouldPersistHeaders: false,
  }),
);
