// The real `kuromaru serve` with a generated roster and reconciled receipts: tokens for
// two reviewers, an admin and the claims system; the console on its own loopback port.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const kKuromaru = process.env.KUROMARU ?? "build/services/kuromaru";

function run(args, opts = {}) {
  const r = spawnSync(kKuromaru, args, { encoding: "utf8", ...opts });
  if (r.status !== 0) {
    throw new Error(`kuromaru ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  return r;
}

/** A free loopback port (the kernel's choice, released for the server to take). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function until(what, fn, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Generates data, writes the token file, starts the server with the console, reconciles
 * `receipts` receipts through gRPC. Resolves to
 * { grpc: "127.0.0.1:P", consoleUrl, tokens: {reviewerA, reviewerB, admin, claims},
 *   tokenFiles, dir, receiptsPath, stop() }.
 */
export async function startServer({ persons = 3000, receipts = 600, seed = 7 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kuromaru-console-"));
  const data = path.join(dir, "data");
  run(["gen", "--persons", String(persons), "--receipts", String(receipts), "--seed", String(seed),
    "--out", data]);
  const tokens = {};
  const tokenFiles = {};
  const conf = [];
  for (const [key, role, subject] of [
    ["reviewerA", "reviewer", "reviewer-a"],
    ["reviewerB", "reviewer", "reviewer-b"],
    ["admin", "admin,reviewer", "admin-a"],
    ["claims", "claims", "claims-system"],
  ]) {
    const r = run(["token", "new", "--role", role, "--subject", subject]);
    tokens[key] = r.stdout.trim();
    tokenFiles[key] = path.join(dir, `${key}.token`);
    fs.writeFileSync(tokenFiles[key], r.stdout, { mode: 0o600 });
    conf.push(r.stderr.trim());
  }
  const tokensConf = path.join(dir, "tokens.conf");
  fs.writeFileSync(tokensConf, conf.join("\n") + "\n", { mode: 0o600 });

  const consolePort = await freePort();
  const log = fs.openSync(path.join(dir, "serve.log"), "w");
  const child = spawn(kKuromaru, ["serve", "--listen", "127.0.0.1:0",
    "--store", path.join(dir, "cases.db"), "--auth-config", tokensConf,
    "--roster", path.join(data, "roster.csv"), "--directory", path.join(data, "directory.csv"),
    "--console-listen", `127.0.0.1:${consolePort}`], { stdio: ["ignore", "ignore", log] });
  const logText = () => fs.readFileSync(path.join(dir, "serve.log"), "utf8");
  let grpcPort = "";
  await until("the gRPC listener", () => {
    grpcPort = /"msg":"listening".*?"port":(\d+)/.exec(logText())?.[1] ?? "";
    return grpcPort !== "";
  });
  const grpc = `127.0.0.1:${grpcPort}`;
  await until("ReconcileService SERVING", () => spawnSync(kKuromaru,
    ["health", "--server", grpc, "--service", "kuromaru.v1.ReconcileService"]).status === 0);
  const consoleUrl = `http://127.0.0.1:${consolePort}/`;
  await until("the console", async () => {
    try {
      return (await fetch(consoleUrl)).ok;
    } catch {
      return false;
    }
  });
  const receiptsPath = path.join(data, "receipts.jsonl");
  run(["reconcile", "--server", grpc, "--token-file", tokenFiles.claims, "--receipts", receiptsPath,
    "--out", path.join(dir, "answers.jsonl")]);

  return {
    grpc, consoleUrl, tokens, tokenFiles, dir, receiptsPath,
    log: logText,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
