// Offline checks of kuromaru's Kubernetes manifests, run by
// scripts/validate-deploy.sh:
//
//   node validate.js manifests FILE...       complete objects (a rendered overlay or
//                                            the base's resources): the Kubernetes
//                                            schema, unknown keys, kuromaru's rules
//   node validate.js kustomizations FILE...  kustomization.yaml files: known keys,
//                                            referenced files exist
//   node validate.js patches FILE...         patches: the schema without required
//                                            fields, unknown fields
//   node validate.js unrendered DIR...       without kubectl: the three above over
//                                            the files each kustomization uses
//
// Exits 1 with one line per problem. The schema is kubernetes-models (Kubernetes
// 1.27). Its validators do not reject unknown fields (the API's OpenAPI does not
// say `additionalProperties: false`), so every object handed to a validator is
// wrapped in a Proxy that records which fields the validator looked up: a field
// that the validator of a typed object never asked for is unknown. Objects the
// validator iterates (labels, annotations, ConfigMap data) are maps: any key goes.
"use strict";

const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const rules = require("./rules");

// Reads every document of a YAML file. YAML 1.1, as kubectl reads it (0440 is
// octal); duplicate keys are errors.
function readDocuments(file, problems) {
  const text = fs.readFileSync(file, "utf8");
  const docs = YAML.parseAllDocuments(text, { version: "1.1", uniqueKeys: true });
  const out = [];
  for (const doc of docs) {
    for (const e of doc.errors) problems.push(`${file}: ${e.message.split("\n")[0]}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

// The kubernetes-models validator of apiVersion/kind, or null.
function schemaValidator(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  // Core objects are under v1/, the others under GROUP/VERSION/.
  const dir = apiVersion === "v1" || apiVersion.includes("/") ? apiVersion : null;
  if (!dir || !/^[a-z0-9.\/-]+$/.test(dir) || !/^[A-Za-z]+$/.test(kind)) return null;
  let mod;
  try {
    mod = require(`kubernetes-models/${dir}/${kind}`);
  } catch (e) {
    return null;
  }
  // The model exports its schema's name; the schema files are not exported
  // by the package, so they are loaded by path.
  const schemaName = Object.keys(mod).find((k) => k.startsWith("IoK8s"));
  if (!schemaName) return null;
  const root = path.dirname(require.resolve("kubernetes-models"));
  return require(path.join(root, "_schemas", `${schemaName}.js`)).validate;
}

// Wraps `value` so that lookups are recorded in `seen` (object -> Set of keys;
// "*" when the object was iterated).
function track(value, seen) {
  if (value === null || typeof value !== "object") return value;
  const cache = new Map();
  const keys = new Set();
  seen.set(value, keys);
  return new Proxy(value, {
    get(target, key) {
      if (typeof key === "string") keys.add(key);
      const child = target[key];
      if (child === null || typeof child !== "object") return child;
      if (!cache.has(key)) cache.set(key, track(child, seen));
      return cache.get(key);
    },
    has(target, key) {
      if (typeof key === "string") keys.add(key);
      return key in target;
    },
    ownKeys(target) {
      keys.add("*");
      return Reflect.ownKeys(target);
    },
  });
}

function unknownKeys(value, seen, where, problems) {
  if (value === null || typeof value !== "object") return;
  const keys = seen.get(value);
  if (!keys) return;  // not reached: the schema error above already says why
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownKeys(v, seen, `${where}/${i}`, problems));
    return;
  }
  for (const key of Object.keys(value)) {
    if (!keys.has("*") && !keys.has(key)) {
      problems.push(`${where}/${key}: unknown field`);
      continue;
    }
    unknownKeys(value[key], seen, `${where}/${key}`, problems);
  }
}

// The compiled validators carry no messages: one from the error's keyword.
function schemaMessage(e) {
  const p = e.params || {};
  switch (e.keyword) {
    case "type": return `must be of type ${p.type}`;
    case "required": return `missing required field ${p.missingProperty}`;
    case "enum": return `must be one of ${JSON.stringify(p.allowedValues)}`;
    case "format": return `must match format ${p.format}`;
    default: return `fails ${e.keyword} ${JSON.stringify(p)}`;
  }
}

function describe(file, obj) {
  const name = (obj && obj.metadata && obj.metadata.name) || "?";
  return `${file}: ${obj && obj.kind}/${name}`;
}

function checkManifests(files) {
  const problems = [];
  const objects = [];
  for (const file of files) {
    for (const obj of readDocuments(file, problems)) {
      const where = describe(file, obj);
      const validate = schemaValidator(obj.apiVersion, obj.kind);
      if (!validate) {
        problems.push(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      const seen = new Map();
      if (!validate(track(obj, seen))) {
        for (const e of validate.errors) {
          problems.push(`${where}${e.instancePath}: ${schemaMessage(e)}`);
        }
      }
      unknownKeys(obj, seen, where, problems);
      objects.push({ file, obj });
    }
  }
  try {
    problems.push(...rules.check(objects));
  } catch (e) {
    // A malformed object the schema has already reported on.
    problems.push(`rules: ${e.message}`);
  }
  if (objects.length === 0) problems.push("no manifests found");
  return { problems, count: objects.length };
}

// Top-level fields of a Kustomization (kustomize v5).
const kKustomizationKeys = new Set([
  "apiVersion", "kind", "metadata", "resources", "components", "namespace",
  "namePrefix", "nameSuffix", "labels", "commonLabels", "commonAnnotations",
  "images", "replicas", "patches", "patchesStrategicMerge", "patchesJson6902",
  "configMapGenerator", "secretGenerator", "generatorOptions", "generators",
  "transformers", "validators", "replacements", "vars", "openapi", "crds",
  "buildMetadata", "helmCharts", "helmGlobals", "sortOptions",
]);

function checkKustomizations(files) {
  const problems = [];
  for (const file of files) {
    const dir = path.dirname(file);
    for (const k of readDocuments(file, problems)) {
      for (const key of Object.keys(k)) {
        if (!kKustomizationKeys.has(key)) problems.push(`${file}: ${key}: unknown field`);
      }
      if (k.kind !== "Kustomization") problems.push(`${file}: kind is not Kustomization`);
      const refs = [...(k.resources || []), ...(k.patches || []).map((p) => p.path)];
      for (const gen of k.configMapGenerator || []) refs.push(...(gen.files || []));
      for (const ref of refs.filter(Boolean)) {
        const file_ref = ref.includes("=") ? ref.split("=")[1] : ref;
        if (!fs.existsSync(path.join(dir, file_ref))) {
          problems.push(`${file}: ${ref} does not exist`);
        }
      }
    }
  }
  return { problems, count: files.length };
}

// Patches are partial objects: the schema applies except for required fields,
// and kustomize's `$patch`-style directives are not fields.
function checkPatches(files) {
  const problems = [];
  let count = 0;
  for (const file of files) {
    for (const obj of readDocuments(file, problems)) {
      count++;
      const where = describe(file, obj);
      const validate = schemaValidator(obj.apiVersion, obj.kind);
      if (!validate) {
        problems.push(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      if (!obj.metadata || !obj.metadata.name) problems.push(`${where}: patch without a name`);
      const seen = new Map();
      if (!validate(track(obj, seen))) {
        for (const e of validate.errors.filter((e) => e.keyword !== "required")) {
          problems.push(`${where}${e.instancePath}: ${schemaMessage(e)}`);
        }
      }
      const unknown = [];
      unknownKeys(obj, seen, where, unknown);
      problems.push(...unknown.filter((p) => !/\/\$[a-zA-Z]+: unknown field$/.test(p)));
    }
  }
  return { problems, count };
}

// The files a kustomization uses, following directories it includes:
// { kustomizations, resources, patches }.
function kustomizationFiles(dir, out, problems) {
  const file = path.join(dir, "kustomization.yaml");
  if (!fs.existsSync(file)) {
    problems.push(`${dir}: no kustomization.yaml`);
    return out;
  }
  out.kustomizations.push(file);
  for (const k of readDocuments(file, problems)) {
    for (const ref of k.resources || []) {
      const p = path.join(dir, ref);
      if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
        kustomizationFiles(p, out, problems);
      } else {
        out.resources.push(p);
      }
    }
    for (const patch of k.patches || []) if (patch.path) out.patches.push(path.join(dir, patch.path));
  }
  return out;
}

// Without kubectl: each overlay's files as they are, the base's resources as
// complete objects, the patches as partial ones.
function checkUnrendered(dirs) {
  const problems = [];
  let count = 0;
  for (const dir of dirs) {
    const files = kustomizationFiles(dir, { kustomizations: [], resources: [], patches: [] },
                                     problems);
    for (const [check, list] of [[checkKustomizations, files.kustomizations],
                                 [checkManifests, files.resources],
                                 [checkPatches, files.patches]]) {
      if (list.length === 0) continue;
      const result = check(list);
      problems.push(...result.problems);
      count += result.count;
    }
  }
  return { problems, count };
}

function main(argv) {
  const [mode, ...files] = argv;
  const checks = {
    manifests: checkManifests,
    kustomizations: checkKustomizations,
    patches: checkPatches,
    unrendered: checkUnrendered,
  };
  if (!checks[mode] || files.length === 0) {
    console.error("usage: validate.js manifests|kustomizations|patches|unrendered FILE...");
    return 2;
  }
  let result;
  try {
    result = checks[mode](files);
  } catch (e) {
    console.error(`validate: ${e.message}`);
    return 1;
  }
  for (const p of result.problems) console.error(`validate: ${p}`);
  if (result.problems.length > 0) return 1;
  console.log(`validate: ${mode}: ${result.count} checked, no problems`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
