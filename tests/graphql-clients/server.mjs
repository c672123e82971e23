// factline served on a free port in a temporary directory, with the bundled
// data and no rate limit (the audits fire their requests at once), for the
// client scripts beside this file.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise((done) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });

/** The binary named on the command line, or exit with a usage line. */
export function binaryArg(script) {
  const arg = process.argv[2];
  if (!arg) {
    console.error(`usage: node ${script} <factline binary>`);
    process.exit(2);
  }
  return resolve(arg);
}

/** Starts factline and waits until it is ready. */
export async function serve(binary) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "factline-graphql-clients-"));
  const env = { ...process.env, FACTLINE_LOG: "warn", FACTLINE_NO_RATE_LIMIT: "1" };
  delete env.DATABASE_URL;
  const child = spawn(binary, ["serve", "--bind", `127.0.0.1:${port}`], { cwd: dir, env, stdio: "inherit" });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error("factline never became ready");
    }
    await sleep(100);
  }
  // A key made by the CLI in the server's own database: the last line it prints.
  const apiKey = (role) =>
    execFileSync(binary, ["apikey", "create", "--role", role, "--name", `graphql-clients ${role}`], {
      cwd: dir,
      env,
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .pop();
  return { base, port, apiKey, stop };
}
