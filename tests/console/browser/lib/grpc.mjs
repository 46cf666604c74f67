// Outcomes checked through the real gRPC API (kuromaru.v1.ReviewService), never through
// the console: a case's state and history, its audit rows, the results feed.
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const kProtoRoot = path.resolve(here, "../../../../proto");

function load() {
  const def = protoLoader.loadSync("kuromaru/v1/review.proto", {
    includeDirs: [kProtoRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  return grpc.loadPackageDefinition(def).kuromaru.v1;
}

/** A ReviewService client that sends `token` as its bearer token. */
export function reviewClient(address, token) {
  const v1 = load();
  const client = new v1.ReviewService(address, grpc.credentials.createInsecure());
  const md = () => {
    const m = new grpc.Metadata();
    m.set("authorization", `Bearer ${token}`);
    return m;
  };
  const unary = (method, req) => new Promise((resolve, reject) =>
    client[method](req, md(), (err, res) => (err ? reject(err) : resolve(res))));
  const stream = (method, req) => new Promise((resolve, reject) => {
    const out = [];
    const call = client[method](req, md());
    call.on("data", (x) => out.push(x));
    call.on("error", reject);
    call.on("end", () => resolve(out));
  });
  return {
    getCase: (receiptId) => unary("GetCase", { receipt_id: receiptId }),
    listCases: (req) => unary("ListCases", req),
    searchRoster: (req) => unary("SearchRoster", req),
    listChanges: (sinceCursor = "", pageSize = 1000) =>
      unary("ListChanges", { since_cursor: sinceCursor, page_size: pageSize }),
    exportAudit: (receiptId) => stream("ExportAudit", { receipt_id: receiptId }),
    confirm: (receiptId, version, candidate, comment = "") => unary("ConfirmCandidate", {
      receipt_id: receiptId, expected_version: version, candidate, comment,
      idempotency_key: `browser-test-${receiptId}-${version}`,
    }),
    markNoMatch: (receiptId, version, comment = "") => unary("MarkNoMatch", {
      receipt_id: receiptId, expected_version: version, comment,
      idempotency_key: `browser-test-no-match-${receiptId}-${version}`,
    }),
    close: () => client.close(),
  };
}

export const { status: kStatus } = grpc;

/** Every change of the feed for one case, oldest first (role claims). */
export async function changesOf(client, receiptId) {
  const all = [];
  let cursor = "";
  for (;;) {
    const page = await client.listChanges(cursor);
    all.push(...page.changes);
    if (!page.changes.length || page.next_cursor === cursor) break;
    cursor = page.next_cursor;
  }
  return all.filter((c) => c.receipt_id === receiptId);
}
