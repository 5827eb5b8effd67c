// The graphql-http audit (GraphQL over HTTP spec) against URL: prints one JSON line per
// audit result ({id, name, status, reason}); exits 0 whatever they say.
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchWithToken = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...(init.headers || {}), authorization: `Bearer ${token}` } });

for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  const result = await audit.fn();
  const line = { id: audit.id, name: audit.name, status: result.status };
  if (result.status !== 'ok') line.reason = result.reason;
  console.log(JSON.stringify(line));
}
