#!/usr/bin/env bash
# What contrib/ ships to run the exporter for real, as TAP tests of `make
# user-test`; run from the top of the tree. Nothing is started: the
# systemd unit is checked offline (systemd-analyze verify and security
# --offline; this machine's PID 1 need not be systemd), the Kubernetes
# manifest by loading its YAML and checking what the cluster would check
# and what the exporter needs (no cluster, no kubeconform in Debian).
# shellcheck source=qemu/lib.sh
. ./qemu/lib.sh
set -u
tap_start
T=$(mktemp -d /tmp/madvstat-contrib-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

# ---- systemd ----------------------------------------------------------------
UNIT=contrib/systemd/madvstat-exporter.service.in
if command -v systemd-analyze >/dev/null; then
	# As make install writes it, with this tree's madvstat as the binary.
	sed "s|@BINDIR@|$PWD/build/user-test|" "$UNIT" >"$T/madvstat-exporter.service"
	# --man=no: the man page is found once installed (make install-user).
	out=$(systemd-analyze verify --man=no "$T/madvstat-exporter.service" 2>&1)
	tap_check "systemd-analyze verify: the exporter's unit is clean" \
		"$([ $? = 0 ] && [ -z "$out" ]; echo $?)" "$out"
	out=$(systemd-analyze security --offline=true --threshold=20 \
		"$T/madvstat-exporter.service" 2>&1)
	rc=$?
	score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	tap_check "systemd-analyze security --offline: exposure $score (at most 2.0)" \
		"$([ "$rc" = 0 ] && [ -n "$score" ] &&
		awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; echo $?)" \
		"$(printf '%s\n' "$out" | grep '✗')"
else
	tap_not_ok "systemd-analyze verify" "systemd-analyze is not installed (qemu/deps installs systemd)"
fi
caps=$(sed -n 's/^\(AmbientCapabilities\|CapabilityBoundingSet\)=//p' "$UNIT" | sort -u)
tap_check "the unit: CAP_SYS_PTRACE and no other capability, no new privileges" \
	"$([ "$caps" = CAP_SYS_PTRACE ] && grep -qx 'NoNewPrivileges=yes' "$UNIT" &&
	grep -qx 'ExecStart=@BINDIR@/madvstat exporter --listen :19478' "$UNIT"; echo $?)" \
	"capabilities: $caps"
tap_check "modules-load.d: loads madvstat" \
	"$([ "$(grep -v '^#' contrib/modules-load.d/madvstat.conf)" = madvstat ]; echo $?)"

# ---- Kubernetes -------------------------------------------------------------
out=$(python3 - contrib/kubernetes/madvstat-exporter.yaml <<'PY' 2>&1
import sys
import yaml

problems = []
def check(cond, msg):
    if not cond:
        problems.append(msg)

# Fields of the objects used here, as the Kubernetes API (1.2x) has them:
# a misspelt or misplaced key is an error the cluster would report.
POD_SPEC = {"hostPID", "automountServiceAccountToken", "enableServiceLinks",
            "tolerations", "securityContext", "containers", "volumes",
            "priorityClassName", "nodeSelector", "serviceAccountName"}
CONTAINER = {"name", "image", "args", "command", "ports", "securityContext",
             "resources", "livenessProbe", "readinessProbe", "volumeMounts",
             "env", "imagePullPolicy"}
CONTAINER_SC = {"runAsUser", "runAsNonRoot", "allowPrivilegeEscalation",
                "readOnlyRootFilesystem", "privileged", "capabilities",
                "seccompProfile", "runAsGroup"}
DS_SPEC = {"selector", "updateStrategy", "template", "minReadySeconds",
           "revisionHistoryLimit"}

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d.get("kind"): d for d in docs}
check(sorted(kinds) == ["DaemonSet", "Namespace", "Service"],
      "objects: %s" % sorted(kinds))
for d in docs:
    check(set(d) <= {"apiVersion", "kind", "metadata", "spec"},
          "%s: top-level keys %s" % (d.get("kind"), sorted(d)))
    check(d.get("metadata", {}).get("name"), "%s: no name" % d.get("kind"))
ns = kinds["Namespace"]["metadata"]["name"]
ds, svc = kinds["DaemonSet"], kinds["Service"]
check(ds["apiVersion"] == "apps/v1", "DaemonSet apiVersion")
check(svc["apiVersion"] == "v1", "Service apiVersion")
check(ds["metadata"]["namespace"] == ns and svc["metadata"]["namespace"] == ns,
      "namespaces")
check(set(ds["spec"]) <= DS_SPEC, "DaemonSet spec keys %s" % sorted(ds["spec"]))
tmpl = ds["spec"]["template"]
labels = tmpl["metadata"]["labels"]
sel = ds["spec"]["selector"]["matchLabels"]
check(all(labels.get(k) == v for k, v in sel.items()),
      "the selector does not match the pod's labels")
pod = tmpl["spec"]
check(set(pod) <= POD_SPEC, "pod spec keys %s" % sorted(set(pod) - POD_SPEC))
check(pod.get("hostPID") is True, "hostPID is not true")
check(pod.get("automountServiceAccountToken") is False,
      "a service account token is mounted: the exporter needs none")
(c,) = pod["containers"]
check(set(c) <= CONTAINER, "container keys %s" % sorted(set(c) - CONTAINER))
sc = c["securityContext"]
check(set(sc) <= CONTAINER_SC, "securityContext keys %s" % sorted(sc))
check(sc.get("capabilities") == {"drop": ["ALL"], "add": ["SYS_PTRACE"]},
      "capabilities: %s" % sc.get("capabilities"))
check(sc.get("allowPrivilegeEscalation") is False, "privilege escalation")
check(sc.get("readOnlyRootFilesystem") is True, "writable root file system")
check(sc.get("privileged") is not True, "privileged")
lim = c["resources"]["limits"]
check("memory" in lim and "cpu" in lim, "no memory or CPU limit")
args = c["args"]
check(args[0] == "exporter", "args: %s" % args)
listen = args[args.index("--listen") + 1]
port = int(listen.rsplit(":", 1)[1])
(p,) = c["ports"]
check(p["containerPort"] == port, "containerPort %s, --listen %s" % (p["containerPort"], listen))
for probe in ("livenessProbe", "readinessProbe"):
    check(c[probe]["httpGet"]["port"] == p["name"], probe + " port")
vols = {v["name"]: v for v in pod["volumes"]}
for m in c["volumeMounts"]:
    check(m["name"] in vols, "mount of an unknown volume " + m["name"])
    check(m.get("readOnly") is True, m["mountPath"] + " is writable")
cg = [m for m in c["volumeMounts"] if m["mountPath"] == "/sys/fs/cgroup"]
check(cg and vols[cg[0]["name"]]["hostPath"]["path"] == "/sys/fs/cgroup",
      "the host's /sys/fs/cgroup is not mounted at /sys/fs/cgroup")
for logs in ("/var/log/pods", "/var/log/containers"):
    lm = [m for m in c["volumeMounts"] if m["mountPath"] == logs]
    check(lm and vols[lm[0]["name"]]["hostPath"]["path"] == logs,
          "the kubelet's %s is not mounted at %s (pod labels)" % (logs, logs))
ann = tmpl["metadata"]["annotations"]
check(ann.get("prometheus.io/scrape") == "true" and
      ann.get("prometheus.io/port") == str(port), "scrape annotations")
check(all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()),
      "the Service's selector does not match the pods")
(sp,) = svc["spec"]["ports"]
check(sp["port"] == port and sp["targetPort"] == p["name"], "Service port")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("%d objects, port %d" % (len(docs), port))
PY
)
tap_check "Kubernetes manifest: YAML, known fields, hostPID, SYS_PTRACE only, read-only, limits, ports ($out)" $? "$out"

tap_finish
