// Runs graphql-http's server audits (the GraphQL over HTTP spec's conformance
// checks) against factline's /graphql and prints every one that is not ok.
//
//   node tests/graphql-clients/audit.mjs <factline binary>
//
// Exits non-zero when any audit is not ok: warnings and notices count too.
import { readFileSync } from "node:fs";
import { auditServer, serverAudits } from "graphql-http";
import { binaryArg, serve } from "./server.mjs";

const binary = binaryArg("audit.mjs");
const { version } = JSON.parse(
  readFileSync(new URL("./node_modules/graphql-http/package.json", import.meta.url), "utf8"),
);
const server = await serve(binary);
const { base } = server;

let failed = false;
try {
  const url = `${base}/graphql`;
  const results = await auditServer({ url });
  const expected = serverAudits({ url }).length;
  const count = (status) => results.filter((r) => r.status === status).length;
  for (const r of results) {
    if (r.status !== "ok") console.log(`${r.status} ${r.id} ${r.name}: ${r.reason}`);
  }
  console.log(
    `graphql-http ${version} audits: ${results.length} run, ${count("ok")} ok, ${count("warn")} warn, ` +
      `${count("notice")} notice, ${count("error")} error`,
  );
  if (results.length !== expected) throw new Error(`${expected} audits were expected`);
  failed = results.some((r) => r.status !== "ok");
} catch (e) {
  failed = true;
  console.error(`graphql-http audit failed: ${e.message}`);
} finally {
  await server.stop();
}
process.exit(failed ? 1 : 0);
