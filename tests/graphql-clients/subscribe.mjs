// A real GraphQL subscription client (graphql-ws over ws, the
// graphql-transport-ws subprotocol) against factline's /graphql:
//   1. a reader subscribes to group changes; an editor's REST PATCH of a group
//      arrives as an event within a second;
//   2. a client with a bad key is closed with 4403 Forbidden;
//   3. once the reader's client is disposed, the server counts no connection.
//
//   node tests/graphql-clients/subscribe.mjs <factline binary>
//
// Prints one line per check; exits non-zero, saying why, when anything is off.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { binaryArg, serve, sleep } from "./server.mjs";

const binary = binaryArg("subscribe.mjs");
const SLUG = "lulzsec";
const QUERY = "subscription { changes(kinds: [GROUP]) { cursor kind slug version action at } }";

const server = await serve(binary);
const { base, apiKey } = server;
const wsUrl = `ws://127.0.0.1:${server.port}/graphql`;

// A gauge's value from the Prometheus text at /metrics (summed over its
// label sets), or undefined while it is not there.
const gauge = async (name) => {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum;
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/);
    if (m && m[1] === name) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
};
const gaugeReaches = async (name, want, ms) => {
  const deadline = Date.now() + ms;
  let got;
  while ((got = await gauge(name)) !== want) {
    if (Date.now() > deadline) throw new Error(`${name} is ${got ?? "absent"}, not ${want}, after ${ms} ms`);
    await sleep(50);
  }
};
const describe = (e) => (e && typeof e.code === "number" ? `closed ${e.code} ${e.reason ?? ""}`.trim() : String(e?.message ?? e));

const clients = [];
const connect = (key, on) => {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
    on,
  });
  clients.push(client);
  return client;
};

let failed = false;
try {
  const reader = apiKey("reader");
  const editor = apiKey("editor");

  // 1. A reader's subscription sees an editor's REST write.
  const client = connect(reader);
  const events = client.iterate({ query: QUERY });
  const next = events.next().then(
    (result) => ({ result, at: performance.now() }),
    (error) => ({ error, at: performance.now() }),
  );
  await gaugeReaches("factline_graphql_subscriptions", 1, 5_000);
  console.log("ok   subscribed: factline_graphql_subscriptions is 1");

  const url = `${base}/v1/groups/${SLUG}`;
  const current = await fetch(url);
  if (!current.ok) throw new Error(`GET ${url}: ${current.status}`);
  const texts = (await current.json()).texts.map(({ field, lang, text }) => ({ field, lang, text }));
  const english = texts.find((t) => t.field === "description" && t.lang === "en");
  if (!english) throw new Error(`${SLUG} has no English description to edit`);
  english.text += " (Edited by tests/graphql-clients/subscribe.mjs.)";
  const res = await fetch(url, {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${editor}`,
      "content-type": "application/json",
      "if-match": current.headers.get("etag"),
      "x-change-reason": "tests/graphql-clients/subscribe.mjs",
    },
    body: JSON.stringify({ texts }),
  });
  if (res.status !== 200) throw new Error(`PATCH ${url}: ${res.status}: ${(await res.text()).slice(0, 500)}`);
  const written = performance.now();
  const got = await Promise.race([next, sleep(1_000).then(() => null)]);
  if (!got) throw new Error(`no event within 1000 ms of the PATCH of ${SLUG}`);
  if (got.error) throw new Error(`the subscription failed: ${describe(got.error)}`);
  if (got.result.done) throw new Error("the subscription ended without an event");
  const { data, errors } = got.result.value;
  if (errors) throw new Error(`the event carries errors: ${JSON.stringify(errors)}`);
  const change = data?.changes;
  if (change?.kind !== "GROUP" || change?.slug !== SLUG) {
    throw new Error(`the event is not the PATCH of group ${SLUG}: ${JSON.stringify(data)}`);
  }
  const ms = Math.max(0, got.at - written).toFixed(0);
  console.log(`ok   event ${ms} ms after the PATCH answered: ${JSON.stringify(change)}`);

  // 2. A bad key is refused with 4403 Forbidden.
  const closed = new Promise((resolve) => {
    const intruder = connect("flk_not_a_key", { closed: (e) => resolve(e?.code) });
    intruder.subscribe({ query: QUERY }, { next() {}, error() {}, complete() {} });
  });
  const code = await Promise.race([closed, sleep(5_000).then(() => "no close within 5 s")]);
  if (code !== 4403) throw new Error(`the bad key's connection: ${code}, not closed with 4403`);
  console.log("ok   a bad key is closed with 4403");

  // 3. Disposing the reader's client leaves no connection behind.
  await events.return();
  await client.dispose();
  await gaugeReaches("factline_graphql_ws_connections", 0, 2_000);
  console.log("ok   disposed: factline_graphql_ws_connections is 0");
} catch (e) {
  failed = true;
  console.error(`FAIL ${e.message}`);
} finally {
  for (const c of clients) c.terminate();
  await server.stop();
}
process.exit(failed ? 1 : 0);
