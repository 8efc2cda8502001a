"""Offline checks of lexstream's deployment artefacts, called by deploy/check.sh.

Each subcommand checks one kind of artefact and exits non-zero with one line per problem.
The schema and security scanners (kubernetes-validate, checkov) do the generic work; these
checks hold what only this project knows: that every consumed topic has a DLQ, that KEDA
scales on the consumer groups the services really use, that compose and Kubernetes create
the same topics, that every dashboard query parses, and so on.

Runs under the tools virtual environment (.stack/deploy-tools/venv: PyYAML, promql-parser).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]

SERVICES = ("ingest", "ocr", "transcribe", "index", "gateway")
WORKERS = ("ingest", "ocr", "transcribe", "index")
# Custom resources whose schemas kubernetes-validate does not carry (it knows the core API
# only); the cross-reference checks below cover what matters in them.
CRD_GROUPS = ("keda.sh/", "kafka.strimzi.io/")
PINNED_TAG = re.compile(r"^[^:@\s]+(:[0-9a-zA-Z][\w.-]*)$")


class Problems:
    """Collects problems; the exit status says whether there were any."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.add(message)

    def finish(self) -> int:
        for item in self.items:
            print(f"FAIL {self.what}: {item}", file=sys.stderr)
        if self.items:
            return 1
        print(f"ok   {self.what}")
        return 0


# ------------------------------------------------------------------ Kubernetes


def load_docs(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def is_custom_resource(doc: Doc) -> bool:
    return str(doc.get("apiVersion", "")).startswith(CRD_GROUPS)


def split_rendered(rendered: Path, core_out: Path) -> int:
    """Write the core-API documents of a rendered overlay to core_out (for schema checks)."""
    docs = load_docs(rendered)
    core = [doc for doc in docs if not is_custom_resource(doc)]
    skipped = sorted({f"{doc['apiVersion']}/{doc['kind']}" for doc in docs if doc not in core})
    core_out.write_text(yaml.safe_dump_all(core, sort_keys=False))
    print(f"     {len(core)} core objects to validate; custom resources left out: {skipped}")
    return 0


def _by_kind(docs: Iterable[Doc], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc.get("kind") == kind}


def _pod_spec(doc: Doc) -> Doc:
    spec: Doc = doc["spec"]["template"]["spec"]
    return spec


def _check_pod(problems: Problems, name: str, pod: Doc, *, needs_probes: bool) -> None:
    problems.check(pod.get("automountServiceAccountToken") is False, f"{name}: token automounted")
    security = pod.get("securityContext", {})
    problems.check(security.get("runAsNonRoot") is True, f"{name}: pod not runAsNonRoot")
    problems.check(
        security.get("seccompProfile", {}).get("type") == "RuntimeDefault",
        f"{name}: pod seccomp is not RuntimeDefault",
    )
    for container in pod["containers"]:
        where = f"{name}/{container['name']}"
        ctx = container.get("securityContext", {})
        problems.check(ctx.get("readOnlyRootFilesystem") is True, f"{where}: root fs writable")
        problems.check(
            ctx.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation allowed"
        )
        problems.check(
            ctx.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: capabilities not dropped"
        )
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                problems.check(
                    resource in resources.get(bound, {}), f"{where}: no {resource} {bound}"
                )
        if needs_probes:
            for probe in ("livenessProbe", "readinessProbe"):
                problems.check(probe in container, f"{where}: no {probe}")
        mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
        problems.check("/tmp" in mounts, f"{where}: no writable /tmp volume")
        for env in container.get("env", []):
            if "value" in env and re.search(r"KEY|SECRET|PASSWORD|TOKEN", env["name"]):
                problems.add(f"{where}: {env['name']} has a literal value, not a secretKeyRef")


def _kafka_triggers(scaled_object: Doc) -> Iterator[Doc]:
    for trigger in scaled_object["spec"]["triggers"]:
        if trigger["type"] == "kafka":
            metadata: Doc = trigger["metadata"]
            yield metadata


def check_manifests(rendered: Path, overlay: str) -> int:
    """Cross-reference checks on one rendered overlay."""
    problems = Problems(f"manifests ({overlay})")
    docs = load_docs(rendered)
    deployments = _by_kind(docs, "Deployment")
    problems.check(not _by_kind(docs, "Secret"), "a Secret is committed; reference it instead")

    for service in SERVICES:
        name = f"lexstream-{service}"
        deployment = deployments.get(name)
        if deployment is None:
            problems.add(f"no Deployment {name}")
            continue
        pod = _pod_spec(deployment)
        _check_pod(problems, name, pod, needs_probes=True)
        problems.check(
            pod.get("serviceAccountName") in _by_kind(docs, "ServiceAccount"),
            f"{name}: its ServiceAccount is missing",
        )
        problems.check(
            any(
                pdb["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") == name
                for pdb in _by_kind(docs, "PodDisruptionBudget").values()
            ),
            f"{name}: no PodDisruptionBudget",
        )
        problems.check(
            "replicas" not in deployment["spec"], f"{name}: fixed replicas fight the autoscaler"
        )
    for account in _by_kind(docs, "ServiceAccount").values():
        problems.check(
            account.get("automountServiceAccountToken") is False,
            f"ServiceAccount {account['metadata']['name']}: token automounted",
        )
    for job_name, job in _by_kind(docs, "Job").items():
        _check_pod(problems, job_name, _pod_spec(job), needs_probes=False)

    _check_network(problems, docs)
    _check_service_credentials(problems, docs, deployments)
    _check_scaling(problems, docs, deployments)
    _check_topics(problems, docs)
    _check_transcribe_gpu(problems, deployments, overlay)
    return problems.finish()


def _check_network(problems: Problems, docs: list[Doc]) -> None:
    policies = _by_kind(docs, "NetworkPolicy")
    deny = [
        p
        for p in policies.values()
        if p["spec"].get("podSelector") == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    problems.check(bool(deny), "no default-deny NetworkPolicy")
    selectors = [p["spec"].get("podSelector", {}).get("matchLabels", {}) for p in policies.values()]
    for kind in ("Deployment", "Job"):
        for name, workload in _by_kind(docs, kind).items():
            labels = workload["spec"]["template"]["metadata"].get("labels", {})
            for key, value in labels.items():
                if key.startswith("lexstream.io/egress-"):
                    problems.check(
                        {key: value} in selectors, f"{name}: label {key} has no NetworkPolicy"
                    )


def _secret_env(deployment: Doc, variable: str) -> tuple[str, str] | None:
    """The (Secret, key) a Deployment's first container takes ``variable`` from."""
    for env in _pod_spec(deployment)["containers"][0].get("env", []):
        ref = env.get("valueFrom", {}).get("secretKeyRef")
        if env["name"] == variable and ref:
            return ref["name"], ref["key"]
    return None


def _check_service_credentials(
    problems: Problems, docs: list[Doc], deployments: dict[str, Doc]
) -> None:
    """Outside development gateway and ingest refuse to start without LEXSTREAM_INGEST_TOKEN,
    and ingest reads the matters registry (Elasticsearch) and only configured buckets."""
    tokens = {
        name: _secret_env(deployments[name], "LEXSTREAM_INGEST_TOKEN")
        for name in ("lexstream-gateway", "lexstream-ingest")
        if name in deployments
    }
    for name, ref in tokens.items():
        problems.check(ref is not None, f"{name}: LEXSTREAM_INGEST_TOKEN is no secretKeyRef")
    problems.check(
        len(set(tokens.values())) == 1, f"gateway and ingest take different ingest tokens: {tokens}"
    )
    ingest = deployments.get("lexstream-ingest")
    if ingest is not None:
        labels = ingest["spec"]["template"]["metadata"].get("labels", {})
        problems.check(
            labels.get("lexstream.io/egress-elasticsearch") == "true",
            "lexstream-ingest: no egress to Elasticsearch (it reads the matters registry)",
        )
        problems.check(
            _secret_env(ingest, "LEXSTREAM_ELASTICSEARCH_API_KEY") is not None,
            "lexstream-ingest: no Elasticsearch credential",
        )
    config = _by_kind(docs, "ConfigMap").get("lexstream-config", {}).get("data", {})
    try:
        upstream = json.loads(config.get("LEXSTREAM_UPSTREAM_BUCKETS", "[]"))
    except json.JSONDecodeError:
        upstream = None
    problems.check(
        isinstance(upstream, list) and bool(upstream),
        "lexstream-config: LEXSTREAM_UPSTREAM_BUCKETS is not a non-empty JSON list",
    )
    own = {config.get("LEXSTREAM_ORIGINALS_BUCKET"), config.get("LEXSTREAM_DERIVED_BUCKET")}
    problems.check(
        not (set(upstream or []) & own),
        "lexstream-config: an upstream bucket is lexstream's own (originals or derived)",
    )


def _check_scaling(problems: Problems, docs: list[Doc], deployments: dict[str, Doc]) -> None:
    scaled = _by_kind(docs, "ScaledObject")
    hpas = _by_kind(docs, "HorizontalPodAutoscaler")
    topics = {doc["spec"]["topicName"] for doc in _by_kind(docs, "KafkaTopic").values()}
    for service in WORKERS:
        name = f"lexstream-{service}"
        scaled_object = scaled.get(name)
        if scaled_object is None:
            problems.add(f"{name}: no KEDA ScaledObject")
            continue
        problems.check(
            scaled_object["spec"]["scaleTargetRef"]["name"] in deployments,
            f"ScaledObject {name}: target is not a Deployment here",
        )
        triggers = list(_kafka_triggers(scaled_object))
        problems.check(bool(triggers), f"ScaledObject {name}: no kafka trigger")
        for trigger in triggers:
            problems.check(
                trigger["consumerGroup"] == name,
                f"ScaledObject {name}: consumer group {trigger['consumerGroup']} is not {name}",
            )
            problems.check(
                trigger["topic"] in topics,
                f"ScaledObject {name}: topic {trigger['topic']} is not a KafkaTopic",
            )
    gateway_hpa = hpas.get("lexstream-gateway")
    problems.check(
        gateway_hpa is not None
        and gateway_hpa["spec"]["scaleTargetRef"]["name"] == "lexstream-gateway",
        "no HorizontalPodAutoscaler for the gateway",
    )
    problems.check(not set(hpas) & set(scaled), "a Deployment has both an HPA and a ScaledObject")


def _check_topics(problems: Problems, docs: list[Doc]) -> None:
    names = {doc["spec"]["topicName"] for doc in _by_kind(docs, "KafkaTopic").values()}
    problems.check(bool(names), "no KafkaTopics")
    for name in names:
        problems.check(
            re.fullmatch(r"lexstream\.[a-z]+\.[a-z]+\.v\d+(\.dlq)?", name) is not None,
            f"topic {name} does not follow lexstream.<domain>.<event>.v<N>",
        )
        if not name.endswith(".dlq") and name != "lexstream.audit.events.v1":
            problems.check(f"{name}.dlq" in names, f"topic {name} has no DLQ")


def _check_transcribe_gpu(problems: Problems, deployments: dict[str, Doc], overlay: str) -> None:
    transcribe = deployments.get("lexstream-transcribe")
    if transcribe is None or overlay != "production":
        return
    pod = _pod_spec(transcribe)
    limits = pod["containers"][0]["resources"]["limits"]
    problems.check("nvidia.com/gpu" in limits, "transcribe: no nvidia.com/gpu limit")
    problems.check(bool(pod.get("nodeSelector")), "transcribe: no GPU nodeSelector")
    problems.check(
        any(t.get("key") == "nvidia.com/gpu" for t in pod.get("tolerations", [])),
        "transcribe: no toleration for the GPU taint",
    )


def evaluate_checkov(report: Path, skip_file: Path) -> int:
    """Fail on HIGH/CRITICAL findings; where checkov reports no severity (no API key), on any."""
    problems = Problems(f"checkov ({report.stem})")
    raw = json.loads(report.read_text())
    runs: list[Doc] = raw if isinstance(raw, list) else [raw]
    skipped = set(read_skip_list(skip_file))
    for run in runs:
        results = run.get("results", {})
        for failed in results.get("failed_checks", []):
            if failed["check_id"] in skipped:
                continue  # checkov honours --skip-check; this guards a run without it
            severity = failed.get("severity")
            where = f"{failed['check_id']} {failed['resource']} ({failed['file_path']})"
            if severity is None or str(severity).upper() in ("HIGH", "CRITICAL"):
                problems.add(f"{where}: {failed['check_name']} [severity {severity}]")
            else:
                print(f"warn checkov: {where} [severity {severity}]")
        summary = run.get("summary", {})
        problems.check(
            not summary.get("parsing_errors"), f"{summary.get('parsing_errors')} unparsed"
        )
        print(
            f"     checkov {run.get('check_type')}: {summary.get('passed')} passed, "
            f"{summary.get('failed')} failed, {summary.get('skipped')} skipped"
        )
    return problems.finish()


def read_skip_list(path: Path) -> list[str]:
    """Check ids from a skip file: one per line, '#' starts a comment (the reason)."""
    ids = []
    for line in path.read_text().splitlines():
        check_id = line.split("#", 1)[0].strip()
        if check_id:
            ids.append(check_id)
    return ids


# ------------------------------------------------------------------ compose


def _compose_tag(loader: Any, node: Any) -> Any:
    """Reads the !reset and !override tags of compose overrides as plain values."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


# A SafeLoader that also knows compose's own tags.
_ComposeLoader: Any = type("_ComposeLoader", (yaml.SafeLoader,), {})
_ComposeLoader.add_constructor("!reset", _compose_tag)
_ComposeLoader.add_constructor("!override", _compose_tag)

# Services that Docker cannot probe from inside: (reason). Everything else needs a healthcheck.
COMPOSE_UNPROBED = {
    "otel-collector": "distroless image: no shell or HTTP client to run a probe with",
    "dcgm-exporter": "no HTTP client in the image to rely on; Prometheus' up{} covers it",
}
COMPOSE_ONE_SHOT = {"kafka-init", "minio-init", "bootstrap"}


def check_compose(compose_file: Path, *overrides: Path) -> int:
    problems = Problems(f"compose ({compose_file.name})")
    project: Doc = yaml.load(compose_file.read_text(), Loader=_ComposeLoader)
    services: dict[str, Doc] = project.get("services", {})
    base = compose_file.parent
    backing = {"kafka", "minio", "elasticsearch", "otel-collector", "prometheus", "grafana"}
    problems.check(backing <= set(services), f"missing {sorted(backing - set(services))}")
    problems.check(bool({"jaeger", "tempo"} & set(services)), "no trace store (Jaeger or Tempo)")
    problems.check(set(SERVICES) <= set(services), "a lexstream service is missing")
    for name, service in services.items():
        image = str(service.get("image", ""))
        if name in SERVICES or name == "bootstrap":
            problems.check("build" in service, f"{name}: no build section")
            problems.check(service.get("read_only") is True, f"{name}: root fs writable")
            problems.check(service.get("cap_drop") == ["ALL"], f"{name}: capabilities kept")
            problems.check(
                str(service.get("user", "")).startswith("10001"), f"{name}: not uid 10001"
            )
            dockerfile = base / str(service["build"]["context"]) / service["build"]["dockerfile"]
            problems.check(dockerfile.is_file(), f"{name}: {dockerfile} does not exist")
        else:
            problems.check(
                PINNED_TAG.match(image) is not None and not image.endswith(":latest"),
                f"{name}: image {image!r} is not pinned to a version tag",
            )
        if name not in COMPOSE_ONE_SHOT and name not in COMPOSE_UNPROBED:
            problems.check("healthcheck" in service, f"{name}: no healthcheck")
        depends = service.get("depends_on", {})
        for dependency in depends if isinstance(depends, (dict, list)) else []:
            problems.check(dependency in services, f"{name}: depends on unknown {dependency}")
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("."):
                problems.check((base / source).exists(), f"{name}: mounts missing {source}")
        environment = service.get("environment", {})
        if isinstance(environment, dict):
            for key, value in environment.items():
                if re.search(r"SECRET|PASSWORD|ADMIN_KEY", key):
                    problems.check(
                        str(value).startswith("${") and ":?" in str(value),
                        f"{name}: {key} must come from the .env file (${{VAR:?...}})",
                    )
    transcribe = services.get("transcribe", {})
    devices = transcribe.get("deploy", {}).get("resources", {}).get("reservations", {})
    problems.check(bool(devices.get("devices")), "transcribe: no GPU reservation")
    for override in overrides:
        extra: Doc = yaml.load(override.read_text(), Loader=_ComposeLoader)
        for name in extra.get("services", {}):
            problems.check(name in services, f"{override.name}: unknown service {name}")
    return problems.finish()


def topics_in_create_script(script: Path) -> set[str]:
    names: set[str] = set()
    for match in re.finditer(r"^\s*(lexstream\.[\w.]+):\d+:\d+", script.read_text(), re.M):
        names.add(match.group(1))
        names.add(f"{match.group(1)}.dlq")
    names.update(re.findall(r"^create (lexstream\.[\w.]+) ", script.read_text(), re.M))
    return names


def check_topic_parity(rendered: Path, script: Path) -> int:
    problems = Problems("topics (compose = Kubernetes)")
    k8s = {d["spec"]["topicName"] for d in load_docs(rendered) if d.get("kind") == "KafkaTopic"}
    compose = topics_in_create_script(script)
    problems.check(bool(compose), f"no topics found in {script}")
    for name in sorted(k8s - compose):
        problems.add(f"{name} is a KafkaTopic but {script.name} does not create it")
    for name in sorted(compose - k8s):
        problems.add(f"{script.name} creates {name} but there is no KafkaTopic")
    return problems.finish()


# ------------------------------------------------------------------ collector, dashboards


def check_collector(config_file: Path) -> int:
    problems = Problems("otel collector config")
    config: Doc = yaml.safe_load(config_file.read_text())
    service = config.get("service", {})
    for extension in service.get("extensions", []):
        problems.check(extension in config.get("extensions", {}), f"undefined {extension}")
    pipelines: dict[str, Doc] = service.get("pipelines", {})
    problems.check({"traces", "metrics"} <= set(pipelines), "needs traces and metrics pipelines")
    for pipeline, spec in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            for component in spec.get(section, []):
                problems.check(
                    component in config.get(section, {}),
                    f"pipeline {pipeline}: {section[:-1]} {component} is not defined",
                )
    exporters = set(config.get("exporters", {}))
    problems.check("prometheus" in exporters, "metrics are not exported to Prometheus")
    problems.check(
        any(e.startswith(("otlp/jaeger", "otlp/tempo")) for e in exporters), "no trace exporter"
    )
    return problems.finish()


GRAFANA_MACROS = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
}


def _as_promql(expr: str) -> str:
    for macro, value in GRAFANA_MACROS.items():
        expr = expr.replace(macro, value)
    return re.sub(r"\$\{?\w+\}?", "x", expr)


def check_dashboards(folder: Path, datasources_file: Path) -> int:
    import promql_parser

    problems = Problems("grafana dashboards")
    datasources = yaml.safe_load(datasources_file.read_text())["datasources"]
    known_uids = {ds["uid"] for ds in datasources}
    uids: set[str] = set()
    files = sorted(folder.glob("*.json"))
    problems.check(bool(files), f"no dashboards in {folder}")
    metrics: set[str] = set()
    for path in files:
        board = json.loads(path.read_text())
        problems.check(board.get("uid") not in uids, f"{path.name}: duplicate uid")
        uids.add(board.get("uid", ""))
        variables = {v["name"]: v for v in board.get("templating", {}).get("list", [])}
        ds_var = variables.get("datasource", {})
        problems.check(
            ds_var.get("current", {}).get("value") in known_uids,
            f"{path.name}: default datasource is not a provisioned uid",
        )
        for panel in board.get("panels", []):
            for target in panel.get("targets", []):
                expr = target.get("expr", "")
                try:
                    promql_parser.parse(_as_promql(expr))
                except ValueError as exc:
                    problems.add(f"{path.name} / {panel['title']}: {exc}: {expr}")
                metrics.update(re.findall(r"\b(lexstream_\w+|kafka_\w+|hw_\w+)", expr))
    for needed in (
        "lexstream_documents_processed_total",
        "lexstream_stage_duration_seconds_bucket",
        "lexstream_failures_total",
        "lexstream_dlq_messages_total",
        "kafka_consumer_group_lag",
        "hw_gpu_utilization_ratio",
    ):
        problems.check(needed in metrics, f"no panel uses {needed}")
    return problems.finish()


def workspace_members_needed(pyproject: Path) -> set[str]:
    """The workspace members a service depends on, transitively, and the service itself."""
    import tomllib

    services_dir = pyproject.parent.parent
    needed: set[str] = set()
    pending = [pyproject]
    while pending:
        project = tomllib.loads(pending.pop().read_text())["project"]
        member = project["name"].removeprefix("lexstream-")
        if member in needed:
            continue
        needed.add(member)
        for requirement in project.get("dependencies", []):
            name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
            if name.startswith("lexstream-"):
                dependency = name.removeprefix("lexstream-")
                folder = (
                    services_dir.parent / "shared"
                    if dependency == "shared"
                    else (services_dir / dependency)
                )
                pending.append(folder / "pyproject.toml")
    return needed


def check_dockerfiles(folder: Path) -> int:
    problems = Problems("dockerfiles")
    root = folder.parent.parent
    for service in SERVICES:
        path = folder / f"{service}.Dockerfile"
        if not path.is_file():
            problems.add(f"{path} is missing")
            continue
        text = path.read_text()
        images = re.findall(r"^FROM\s+(\S+)", text, re.M)
        stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.M | re.I))
        for image in images:
            if image in stages:
                continue
            problems.check(
                PINNED_TAG.match(image) is not None and not image.endswith(":latest"),
                f"{path.name}: base image {image} is not pinned to a version tag",
            )
        problems.check(len(images) >= 2, f"{path.name}: not multi-stage")
        problems.check(
            f"--package lexstream-{service}" in text, f"{path.name}: does not sync its package"
        )
        problems.check("--frozen" in text and "--no-dev" in text, f"{path.name}: sync not frozen")
        user = re.findall(r"^USER\s+(\S+)", text, re.M)
        problems.check(bool(user) and not user[-1].startswith(("root", "0")), f"{path.name}: root")
        problems.check("HEALTHCHECK" in text, f"{path.name}: no HEALTHCHECK")
        problems.check(
            f'"lexstream.{service}"' in text, f"{path.name}: entrypoint is not lexstream.{service}"
        )
        if service == "gateway":  # the web workspace is built into the image, not at run time
            problems.check(
                "npm ci" in text and "vite build" in text and "web/dist" in text,
                f"{path.name}: does not build the web workspace into the image",
            )
        for member in workspace_members_needed(root / "services" / service / "pyproject.toml"):
            source = "shared/src" if member == "shared" else f"services/{member}/src"
            problems.check(
                f"COPY {source} {source}" in text, f"{path.name}: does not copy {source}"
            )
    return problems.finish()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("split")
    p.add_argument("rendered", type=Path)
    p.add_argument("core_out", type=Path)
    p = sub.add_parser("manifests")
    p.add_argument("rendered", type=Path)
    p.add_argument("overlay")
    p = sub.add_parser("checkov")
    p.add_argument("report", type=Path)
    p.add_argument("skip_file", type=Path)
    p = sub.add_parser("skips")
    p.add_argument("skip_file", type=Path)
    p = sub.add_parser("compose")
    p.add_argument("compose_file", type=Path)
    p.add_argument("overrides", type=Path, nargs="*")
    p = sub.add_parser("topics")
    p.add_argument("rendered", type=Path)
    p.add_argument("script", type=Path)
    p = sub.add_parser("collector")
    p.add_argument("config", type=Path)
    p = sub.add_parser("dashboards")
    p.add_argument("folder", type=Path)
    p.add_argument("datasources", type=Path)
    p = sub.add_parser("dockerfiles")
    p.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    match args.command:
        case "split":
            return split_rendered(args.rendered, args.core_out)
        case "manifests":
            return check_manifests(args.rendered, args.overlay)
        case "checkov":
            return evaluate_checkov(args.report, args.skip_file)
        case "skips":
            print(",".join(read_skip_list(args.skip_file)))
            return 0
        case "compose":
            return check_compose(args.compose_file, *args.overrides)
        case "topics":
            return check_topic_parity(args.rendered, args.script)
        case "collector":
            return check_collector(args.config)
        case "dashboards":
            return check_dashboards(args.folder, args.datasources)
        case "dockerfiles":
            return check_dockerfiles(args.folder)
    return 2


if __name__ == "__main__":
    sys.exit(main())
