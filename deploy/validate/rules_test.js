// Each of kuromaru's rules fails when the value it guards is broken: the base's
// manifests pass, and a copy broken in one place gives that one problem.
//
//   node rules_test.js BASE_DIR     (run by scripts/validate-deploy.sh)
"use strict";

const assert = require("assert");
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const rules = require("./rules");

const base = process.argv[2];
function load() {
  const objects = [];
  for (const name of fs.readdirSync(base).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(base, name), "utf8"), { version: "1.1" })) {
      const obj = doc.toJS();
      if (obj) objects.push({ file: name, obj });
    }
  }
  return objects;
}
function find(objects, kind, name) {
  return objects.find(({ obj }) => obj.kind === kind && obj.metadata.name === name).obj;
}
function rosterJob(objects) {
  return find(objects, "CronJob", "kuromaru-roster-build").spec.jobTemplate.spec.template.spec;
}
function setArg(c, name, value) {
  c.args = c.args.map((a) => (a.startsWith(`--${name}=`) ? `--${name}=${value}` : a));
}

const cases = [
  ["the base as it is", () => {}, []],
  ["a roster file built outside the roster volume", (o) => {
    const build = rosterJob(o).initContainers[0];
    build.volumeMounts.push({ name: "scratch", mountPath: "/scratch" });
    rosterJob(o).volumes.push({ name: "scratch", emptyDir: {} });
    setArg(build, "out", "/scratch/r.snap");
  }, [/container build: --out=\/scratch\/r.snap is not on the kuromaru-roster volume/]],
  ["a roster load of a path the server does not mount", (o) => {
    setArg(rosterJob(o).containers[0], "path", "/srv/r.snap");
  }, [/container load: --path=\/srv\/r.snap is not on the server's kuromaru-roster volume/]],
  ["an init container that may write its root filesystem", (o) => {
    rosterJob(o).initContainers[0].securityContext.readOnlyRootFilesystem = false;
  }, [/container build: readOnlyRootFilesystem must be true/]],
  ["an init container's flag on no volume", (o) => {
    setArg(rosterJob(o).initContainers[0], "roster", "/data/roster.csv");
  }, [/container build: --roster=\/data\/roster.csv: not on a mounted volume/]],
  ["a roster job that may run twice at once", (o) => {
    find(o, "CronJob", "kuromaru-roster-build").spec.concurrencyPolicy = "Allow";
  }, [/CronJob\/kuromaru-roster-build: concurrencyPolicy must be Forbid/]],
];

for (const [name, breakIt, expected] of cases) {
  const objects = load();
  breakIt(objects);
  const problems = rules.check(objects);
  assert.strictEqual(problems.length, expected.length, `${name}: ${JSON.stringify(problems)}`);
  expected.forEach((re, i) => assert.match(problems[i], re, name));
}
console.log(`rules_test: ${cases.length} cases pass`);
