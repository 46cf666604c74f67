// kuromaru's own rules over a set of manifests, beyond the Kubernetes schema: what
// the server needs to run safely (one owner of the SQLite store, probes on the
// health port, non-root read-only containers, files it is told to read mounted).
"use strict";

// Every container of a pod, init containers first.
function allContainers(pod) {
  return [...(pod.initContainers || []), ...(pod.containers || [])];
}

// A path a command names on the server rather than in its own pod: `roster
// load|delta --path` (checked against the server's mounts instead).
function serverPath(c, arg) {
  const args = c.args || [];
  return args[0] === "roster" && ["load", "delta"].includes(args[1]) && arg.startsWith("--path=");
}

function podSpecs(obj) {
  if (obj.kind === "Deployment") return [obj.spec.template.spec];
  if (obj.kind === "CronJob") return [obj.spec.jobTemplate.spec.template.spec];
  if (obj.kind === "Job") return [obj.spec.template.spec];
  return [];
}

// The value of `--name=value` in args, or undefined.
function flag(args, name) {
  const prefix = `--${name}=`;
  const arg = (args || []).find((a) => a.startsWith(prefix));
  return arg === undefined ? undefined : arg.slice(prefix.length);
}

function checkContainer(where, pod, c, problems) {
  const sc = c.securityContext || {};
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem must be true`);
  if (sc.allowPrivilegeEscalation !== false) {
    problems.push(`${where}: allowPrivilegeEscalation must be false`);
  }
  if (!((sc.capabilities || {}).drop || []).includes("ALL")) {
    problems.push(`${where}: capabilities must drop ALL`);
  }
  const res = c.resources || {};
  if (!(res.requests || {}).memory || !(res.limits || {}).memory) {
    problems.push(`${where}: memory request and limit must be set`);
  }
  // Absolute paths in flags must be on a mounted volume: the image holds only
  // the binary.
  const mounts = (c.volumeMounts || []).map((m) => m.mountPath);
  for (const arg of c.args || []) {
    const m = /^--[a-z-]+=(\/.*)$/.exec(arg);
    if (m && !serverPath(c, arg) && !mounts.some((p) => m[1].startsWith(`${p}/`))) {
      problems.push(`${where}: ${arg}: not on a mounted volume`);
    }
  }
  const volumes = new Set((pod.volumes || []).map((v) => v.name));
  for (const m of c.volumeMounts || []) {
    if (!volumes.has(m.name)) problems.push(`${where}: mount of undefined volume ${m.name}`);
  }
}

// Whether a container's store is PostgreSQL: a DSN file, or a DSN in --store.
function onPostgres(args) {
  const store = flag(args, "store") || "";
  return Boolean(flag(args, "store-dsn-file")) || /^postgres(ql)?:\/\/|=/.test(store);
}

function checkServer(where, obj, problems) {
  const c = obj.spec.template.spec.containers[0];
  if ((c.args || [])[0] !== "serve") return;
  if (!onPostgres(c.args)) {
    if (obj.spec.replicas !== 1) problems.push(`${where}: the SQLite store allows one replica`);
    if ((obj.spec.strategy || {}).type !== "Recreate") {
      problems.push(`${where}: strategy must be Recreate (no two pods on the store)`);
    }
  } else {
    if (flag(c.args, "store")) {
      problems.push(`${where}: --store-dsn-file, not --store: no password on a command line`);
    }
    const rolling = (obj.spec.strategy || {}).rollingUpdate || {};
    if ((obj.spec.replicas || 1) > 1 && rolling.maxUnavailable !== 0) {
      problems.push(`${where}: several replicas update with rollingUpdate.maxUnavailable 0`);
    }
  }
  const health = flag(c.args, "health-listen");
  const port = health && Number(health.split(":").pop());
  const probes = { startupProbe: "", livenessProbe: "", readinessProbe: "kuromaru.v1.ReconcileService" };
  for (const [name, service] of Object.entries(probes)) {
    const probe = c[name];
    if (!probe || !probe.grpc) {
      problems.push(`${where}: ${name} must be a grpc probe`);
    } else if (probe.grpc.port !== port) {
      problems.push(`${where}: ${name} must use the --health-listen port ${port}`);
    } else if ((probe.grpc.service || "") !== service) {
      problems.push(`${where}: ${name} must ask for service "${service}"`);
    }
  }
  if (Boolean(flag(c.args, "tls-cert")) !== Boolean(flag(c.args, "tls-key"))) {
    problems.push(`${where}: --tls-cert and --tls-key go together`);
  }
}

function checkCronJob(where, obj, problems) {
  if (obj.spec.timeZone !== "Asia/Tokyo") problems.push(`${where}: timeZone must be Asia/Tokyo`);
  if (obj.spec.concurrencyPolicy !== "Forbid") problems.push(`${where}: concurrencyPolicy must be Forbid`);
  // A re-match that works on PostgreSQL itself runs one shard per index:
  // --shard=$(VAR)/N, VAR the completion index, N the completions.
  const job = obj.spec.jobTemplate.spec;
  for (const c of job.template.spec.containers || []) {
    if ((c.args || [])[0] !== "rematch" || !onPostgres(c.args)) continue;
    const shard = /^\$\((\w+)\)\/(\d+)$/.exec(flag(c.args, "shard") || "");
    if (job.completionMode !== "Indexed" || !shard) {
      problems.push(`${where}: a re-match on PostgreSQL is an Indexed Job with --shard=$(INDEX)/N`);
      continue;
    }
    const n = Number(shard[2]);
    if (job.completions !== n || job.parallelism !== n) {
      problems.push(`${where}: --shard .../${n} needs completions and parallelism ${n}`);
    }
    const env = (c.env || []).find((e) => e.name === shard[1]);
    const field = env && env.valueFrom && env.valueFrom.fieldRef && env.valueFrom.fieldRef.fieldPath;
    if (shard[1] !== "JOB_COMPLETION_INDEX" &&
        field !== "metadata.annotations['batch.kubernetes.io/job-completion-index']") {
      problems.push(`${where}: $(${shard[1]}) must be the job's completion index`);
    }
  }
}

// Several server replicas need a PodDisruptionBudget over their pods, and a
// ReadWriteMany volume under any path they are told to read rosters from.
function checkReplicas(objects, problems) {
  const budgets = objects.filter(({ obj }) => obj.kind === "PodDisruptionBudget");
  const claims = new Map(
    objects.filter(({ obj }) => obj.kind === "PersistentVolumeClaim").map(({ obj }) => [obj.metadata.name, obj]),
  );
  for (const { file, obj } of objects.filter(({ obj }) => obj.kind === "Deployment")) {
    if ((obj.spec.replicas || 1) < 2) continue;
    const where = `${file}: Deployment/${obj.metadata.name}`;
    const labels = obj.spec.template.metadata.labels || {};
    const covered = budgets.some(({ obj: b }) =>
      Object.entries((b.spec.selector || {}).matchLabels || {}).every(([k, v]) => labels[k] === v));
    if (!covered) problems.push(`${where}: several replicas need a PodDisruptionBudget`);
    const pod = obj.spec.template.spec;
    for (const c of pod.containers) {
      for (const m of c.volumeMounts || []) {
        const volume = (pod.volumes || []).find((v) => v.name === m.name);
        const claim = volume && volume.persistentVolumeClaim && claims.get(volume.persistentVolumeClaim.claimName);
        if (claim && !(claim.spec.accessModes || []).includes("ReadWriteMany")) {
          problems.push(`${where}: volume ${m.name} is shared by replicas: ReadWriteMany`);
        }
      }
    }
  }
}

// The claim a container's mount covering `path` comes from, or undefined.
function claimAt(pod, c, path) {
  const mount = (c.volumeMounts || []).find((m) => path.startsWith(`${m.mountPath}/`));
  const volume = mount && (pod.volumes || []).find((v) => v.name === mount.name);
  return volume && volume.persistentVolumeClaim ? volume.persistentVolumeClaim.claimName : undefined;
}

// A roster file a job builds lands on the roster claim, and a roster it has
// the server load is on the claim the server mounts at that path: otherwise
// the server reads another file, or none.
function checkRosterJobs(objects, problems) {
  const servers = objects
    .filter(({ obj }) => obj.kind === "Deployment")
    .map(({ obj }) => obj.spec.template.spec)
    .filter((pod) => ((pod.containers[0] || {}).args || [])[0] === "serve");
  for (const { file, obj } of objects) {
    for (const pod of podSpecs(obj)) {
      for (const c of allContainers(pod)) {
        const args = c.args || [];
        if (args[0] !== "roster") continue;
        const where = `${file}: ${obj.kind}/${obj.metadata.name} container ${c.name}`;
        const out = args[1] === "build" && flag(args, "out");
        if (out && claimAt(pod, c, out) !== "kuromaru-roster") {
          problems.push(`${where}: --out=${out} is not on the kuromaru-roster volume`);
        }
        const path = ["load", "delta"].includes(args[1]) && flag(args, "path");
        if (path && servers.length > 0 &&
            !servers.some((s) => claimAt(s, s.containers[0], path) === "kuromaru-roster")) {
          problems.push(`${where}: --path=${path} is not on the server's kuromaru-roster volume`);
        }
      }
    }
  }
}

function checkServices(objects, problems) {
  const pods = objects.filter(({ obj }) => obj.kind === "Deployment");
  for (const { file, obj } of objects.filter(({ obj }) => obj.kind === "Service")) {
    const where = `${file}: Service/${obj.metadata.name}`;
    const selector = obj.spec.selector || {};
    const target = pods.find(({ obj: d }) => {
      const labels = d.spec.template.metadata.labels || {};
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    if (!target) {
      problems.push(`${where}: selects no Deployment's pods`);
      continue;
    }
    const ports = target.obj.spec.template.spec.containers.flatMap((c) => c.ports || []);
    for (const p of obj.spec.ports || []) {
      const t = p.targetPort === undefined ? p.port : p.targetPort;
      if (!ports.some((cp) => cp.name === t || cp.containerPort === t)) {
        problems.push(`${where}: targetPort ${t} is no container port`);
      }
    }
  }
}

function check(objects) {
  const problems = [];
  const storeOwners = [];
  for (const { file, obj } of objects) {
    const where = `${file}: ${obj.kind}/${obj.metadata && obj.metadata.name}`;
    for (const pod of podSpecs(obj)) {
      if (!(pod.securityContext || {}).runAsNonRoot) problems.push(`${where}: runAsNonRoot must be true`);
      for (const c of allContainers(pod)) checkContainer(`${where} container ${c.name}`, pod, c, problems);
      if ((pod.volumes || []).some((v) => (v.persistentVolumeClaim || {}).claimName === "kuromaru-store")) {
        storeOwners.push(where);
      }
    }
    if (obj.kind === "Deployment") checkServer(where, obj, problems);
    if (obj.kind === "CronJob") checkCronJob(where, obj, problems);
  }
  if (storeOwners.length > 1) {
    problems.push(`only the server may mount the store: ${storeOwners.join(", ")}`);
  }
  checkServices(objects, problems);
  checkReplicas(objects, problems);
  checkRosterJobs(objects, problems);
  return problems;
}

module.exports = { check };
