"""The deployment descriptions in ``deploy/`` (issue #6), checked against the code.

There is no docker or kubectl here: the Dockerfile, ``docker-compose.yml`` and the Kubernetes
manifests are parsed and checked structurally (services, start order, probes on real routes,
the Rasa workers the gateway routes to, the custom actions inside those workers, resources,
environment variables the code reads, no secrets), and ``deploy/entrypoint.sh`` is run with a
stand-in ``python`` that records the process each role would start.

The default stack has no action server (``HUKOU_ACTIONS=in-process``,
:mod:`bot.rasa_ext.inprocess_actions`);
``deploy/k8s/actions.yaml`` is the optional one for ``HUKOU_ACTIONS=server``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.paths import ROOT
from bot.rasa_ext.inprocess_actions import IN_PROCESS_URL
from bot.stack.processes import Stack
from bot.stack.profile import DEFAULTS, Profile
from bot.stack.training import train_command

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
ENV_EXAMPLE = DEPLOY / ".env.example"
SECRET_TEMPLATE = K8S / "secret.template.yaml"
EVALUATION_SERVICES = K8S / "services.yaml"
INGRESS = K8S / "ingress.yaml"
KUSTOMIZATION = K8S / "kustomization.yaml"
CONFIG_MAP = K8S / "configmap.yaml"
ACTION_SERVER = K8S / "actions.yaml"
"""Optional: a separate action server for ``HUKOU_ACTIONS=server``, not applied by default."""
CONCURRENCY_SWEEP = ROOT / "reports" / "worker-concurrency.md"

ROLES = ("actions", "rasa", "gateway", "migrate", "turns")
DEFAULT_ROLES = ("rasa", "gateway", "migrate", "turns")
"""The default stack's roles: the custom actions run inside the Rasa workers."""
COMPOSE_APP = {
    "migrate": "migrate",
    "rasa-0": "rasa",
    "rasa-1": "rasa",
    "gateway": "gateway",
    "turns": "turns",
}
COMPOSE_BACKING = {
    "postgres": "postgres:16",
    "redis": "redis:7",
    "rabbitmq": "rabbitmq:3-management",
}
REQUIRED = {
    "actions": {"DATABASE_URL", "HUKOU_LISTEN_ADDRESS"},
    "rasa": {
        "HUKOU_PROFILE",
        "HUKOU_TRACKER_URL",
        "HUKOU_REDIS_URL",
        "HUKOU_AMQP_URL",
        "HUKOU_EVENT_QUEUE",
        "HUKOU_ACTIONS",
        "DATABASE_URL",
        "HUKOU_RASA_TOKEN",
        "HUKOU_LISTEN_ADDRESS",
    },
    "gateway": {
        "HUKOU_RASA_URLS",
        "HUKOU_ACTION_URL",
        "HUKOU_WORKER_CONCURRENCY",
        "DATABASE_URL",
        "HUKOU_RASA_TOKEN",
    },
    "migrate": {"DATABASE_URL"},
    "turns": {"HUKOU_PROFILE", "HUKOU_AMQP_URL", "HUKOU_EVENT_QUEUE", "DATABASE_URL"},
}
"""What each role needs so that it does not fall back to this machine's defaults: the Rasa
workers run the actions, which answer from the FAQ database; the gateway's HUKOU_ACTION_URL is
set even when empty (unset, it would probe an action server at http://127.0.0.1:5055)."""
ACTIONS_IN_WORKER = 60 * 10**6
"""Memory the custom actions add to a Rasa worker that runs them (≈ 60 MB)."""
PORTS = {"actions": 5055, "rasa": 5005, "gateway": 8000}
APP_LABEL = ("app.kubernetes.io/name", "hukou-assistant")
COMPONENT = "app.kubernetes.io/component"
NAMESPACE = "hukou"
PLACEHOLDER = "CHANGE_ME"
WORKLOADS = ("Deployment", "StatefulSet", "Job")


# --- helpers ------------------------------------------------------------------------------


def load_docs(path: Path) -> list[Any]:
    return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


def deploy_yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())


@cache
def compose() -> dict[str, Any]:
    (doc,) = load_docs(COMPOSE)
    assert isinstance(doc, dict)
    return doc


def services() -> dict[str, Any]:
    return dict(compose()["services"])


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"deploy/.env.example: not KEY=VALUE: {line!r}"
            values[key.strip()] = value.strip()
    return values


_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR:?message}`` and ``$$``."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op and op.endswith("-"):
            return arg
        raise AssertionError(f"compose needs {name} ({arg or 'no default'})")

    return _INTERPOLATION.sub(one, value)


def compose_env(service: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """A compose service's environment with the ``${…}`` filled from ``.env.example``."""
    raw = services()[service].get("environment") or {}
    assert isinstance(raw, dict), f"{service}: write environment as a mapping"
    values = env_example() if env is None else env
    return {key: interpolate(str(value), values) for key, value in raw.items()}


@cache
def k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in load_docs(path):
            assert isinstance(doc, dict), f"{path.name}: every document is a mapping"
            docs.append((path, doc))
    return docs


def kustomization_resources() -> list[str]:
    (kustomization,) = load_docs(KUSTOMIZATION)
    return [str(name) for name in kustomization["resources"]]


def default_k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    """The documents ``kubectl apply -k deploy/k8s`` applies."""
    resources = set(kustomization_resources())
    return [(path, doc) for path, doc in k8s_docs() if path.name in resources]


def k8s_objects(kind: str | None = None) -> list[dict[str, Any]]:
    return [
        doc
        for _, doc in k8s_docs()
        if doc.get("kind") != "Kustomization" and (kind is None or doc["kind"] == kind)
    ]


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in k8s_objects(kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return dict(workload["spec"]["template"]["spec"])


def is_app(workload: dict[str, Any]) -> bool:
    labels = workload["spec"]["template"]["metadata"].get("labels", {})
    return bool(labels.get(APP_LABEL[0]) == APP_LABEL[1])


def app_workloads() -> list[dict[str, Any]]:
    return [w for kind in WORKLOADS for w in k8s_objects(kind) if is_app(w)]


def default_app_workloads() -> list[dict[str, Any]]:
    return [doc for _, doc in default_k8s_docs() if doc["kind"] in WORKLOADS and is_app(doc)]


def component(workload: dict[str, Any]) -> str:
    return str(workload["spec"]["template"]["metadata"]["labels"][COMPONENT])


def app_container(role: str) -> dict[str, Any]:
    (workload,) = [w for w in app_workloads() if component(w) == role]
    (container,) = pod_spec(workload)["containers"]
    return dict(container)


def config_map_data(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in k8s_object("ConfigMap", name)["data"].items()}


def secret_template() -> dict[str, Any]:
    (doc,) = [d for d in load_docs(SECRET_TEMPLATE) if d.get("kind") == "Secret"]
    return dict(doc)


def secret_data(name: str) -> dict[str, str]:
    doc = secret_template()
    assert doc["metadata"]["name"] == name, f"no Secret template named {name}"
    return {k: str(v) for k, v in doc["stringData"].items()}


def container_env(container: Mapping[str, Any]) -> dict[str, str]:
    """Every variable a container gets, its value resolved from the ConfigMap / Secret template."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(config_map_data(source["configMapRef"]["name"]))
        elif "secretRef" in source:
            env.update(secret_data(source["secretRef"]["name"]))
        else:
            raise AssertionError(f"unexpected envFrom {source}")
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item["valueFrom"]
        if "secretKeyRef" in ref:
            data = secret_data(ref["secretKeyRef"]["name"])
            key = ref["secretKeyRef"]["key"]
        else:
            data = config_map_data(ref["configMapKeyRef"]["name"])
            key = ref["configMapKeyRef"]["key"]
        assert key in data, f"{container['name']}: {item['name']} refers to a missing key {key}"
        env[item["name"]] = data[key]
    return env


@cache
def code_env_names() -> frozenset[str]:
    """The environment variables the app reads: the production profile's, the gateway's and
    the entrypoint's own (``${HUKOU_…}`` in ``deploy/entrypoint.sh``)."""
    from bot.web.settings import Settings

    names = set(DEFAULTS) | {"HUKOU_PROFILE", "HUKOU_ACTIONS", "HUKOU_RASA_TOKEN"}
    # The turn log's (bot/stack/profile.py, bot/stack/turn_consumer.py).
    names |= {"HUKOU_TURN_RETENTION_DAYS", "HUKOU_TURN_PREFETCH"}
    names |= set(re.findall(r"\$\{(HUKOU_[A-Z_]+)", ENTRYPOINT.read_text(encoding="utf-8")))
    for field in Settings.__fields__.values():
        names |= {name.upper() for name in field.field_info.extra["env_names"]}
    return frozenset(names)


_REFERENCE = re.compile(r"\$\{[^}]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\$?[A-Za-z_][A-Za-z0-9_]*")
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|_PASS$|SECRET|TOKEN|_AUTH$|API_?KEY", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:([^@\s/]*)@", re.IGNORECASE)
_PASSWORD_FLAGS = {"--requirepass", "--password", "--pass", "-a"}


def _is_secret_key(key: str) -> bool:
    """An environment-style name (``REDIS_PASSWORD``) or a plain ``password:``/``token:`` key;
    not Kubernetes references such as ``secretName`` or ``secretKeyRef``."""
    if re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
        return bool(_SECRET_NAME.search(key))
    return key.lower() in {"password", "passwd", "pass", "secret", "token", "api_key", "apikey"}


def is_placeholder(value: str) -> bool:
    """A ``${VAR}``/``$(VAR)`` reference or the ``CHANGE_ME`` placeholder, nothing else."""
    rest = _REFERENCE.sub("", value).strip()
    return (rest == "" and value.strip() != "") or PLACEHOLDER in value


def literal_secrets(node: Any, where: str = "") -> list[str]:
    """Every secret-looking value under ``node`` that is written out instead of referenced."""
    found: list[str] = []
    if isinstance(node, dict):
        name = node.get("name")
        secret_env = isinstance(name, str) and "value" in node and _SECRET_NAME.search(name)
        if secret_env and not is_placeholder(str(node["value"])):
            found.append(f"{where}/{name}")
        for key, value in node.items():
            secret_key = _is_secret_key(str(key)) and isinstance(value, (str, int))
            if secret_key and not is_placeholder(str(value)):
                found.append(f"{where}/{key}")
            found += literal_secrets(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            after_flag = i > 0 and str(node[i - 1]) in _PASSWORD_FLAGS
            if after_flag and isinstance(item, str) and not is_placeholder(item):
                found.append(f"{where}[{i}]")
            found += literal_secrets(item, f"{where}[{i}]")
    elif isinstance(node, str):
        for match in _URL_PASSWORD.finditer(_REFERENCE.sub("REF", node)):
            if match.group(1) not in {"REF", PLACEHOLDER}:
                found.append(f"{where}: password in a URL")
    return found


def quantity(value: str | int) -> float:
    """A Kubernetes quantity in bytes (memory) or cores (cpu)."""
    text = str(value)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def header_comment(path: Path) -> str:
    """The comment lines a file begins with, without their ``#``."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def comment_above(path: Path, key: str) -> str:
    """The comment lines right above the line that sets ``key:``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.strip().startswith(f"{key}:")]
    comments: list[str] = []
    while index > 0 and lines[index - 1].strip().startswith("#"):
        index -= 1
        comments.insert(0, lines[index].strip().lstrip("#").strip())
    return " ".join(comments)


def route_paths(module: str, file: str) -> set[str]:
    """The paths a Sanic app declares with ``@app.get("…")`` in ``module/file``."""
    spec = importlib.util.find_spec(module)
    assert spec and spec.origin
    source = (Path(spec.origin).parent / file).read_text(encoding="utf-8")
    return set(re.findall(r"@app\.(?:get|route)\(\s*\"([^\"]+)\"", source))


@pytest.fixture(scope="module")
def gateway_routes(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    from bot.web.app import create_app
    from bot.web.settings import Settings

    database = tmp_path_factory.mktemp("deploy-db") / "faq.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    return {str(getattr(route, "path", "")) for route in app.routes}


# --- every file -----------------------------------------------------------------------------


def test_there_are_deployment_descriptions() -> None:
    names = {p.relative_to(DEPLOY).as_posix() for p in deploy_yaml_files()}
    assert {"docker-compose.yml", "k8s/kustomization.yaml", "k8s/services.yaml"} <= names
    assert len(names) >= 10
    for path in (DOCKERFILE, DOCKERIGNORE, ENTRYPOINT, ENV_EXAMPLE):
        assert path.is_file(), path


@pytest.mark.parametrize(
    "path", deploy_yaml_files(), ids=lambda p: p.relative_to(DEPLOY).as_posix()
)
def test_every_yaml_file_parses(path: Path) -> None:
    docs = load_docs(path)
    assert docs, f"{path} is empty"
    for doc in docs:
        assert isinstance(doc, dict), f"{path}: a document that is not a mapping"
        if path.parent == K8S:
            assert doc.get("apiVersion") and doc.get("kind"), f"{path}: apiVersion/kind"
            assert doc.get("metadata", {}).get("name") or doc["kind"] == "Kustomization"


# --- docker compose -----------------------------------------------------------------------


def test_compose_has_the_expected_services() -> None:
    assert set(services()) == set(COMPOSE_APP) | set(COMPOSE_BACKING)
    for name, image in COMPOSE_BACKING.items():
        assert services()[name]["image"] == image


def test_compose_app_services_run_one_image_built_from_the_dockerfile() -> None:
    images = {services()[name]["image"] for name in COMPOSE_APP}
    assert len(images) == 1, f"the app services use different images: {images}"
    for name, role in COMPOSE_APP.items():
        service = services()[name]
        build = service["build"]
        assert (COMPOSE.parent / build["context"]).resolve() == ROOT
        assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
        assert service["command"] == [role], f"{name} should run the {role} role"


def test_compose_long_running_services_have_healthchecks_and_restart() -> None:
    for name, service in services().items():
        if name == "migrate":
            assert service["restart"] == "no", "migrate is a one-shot: never restarted"
            continue
        assert service.get("restart") == "unless-stopped", name
        test = service.get("healthcheck", {}).get("test")
        assert test and test != ["NONE"] and not service["healthcheck"].get("disable"), name


@pytest.mark.parametrize(
    ("service", "words"),
    [
        ("gateway", ["http://127.0.0.1:8000/healthz"]),
        ("rasa-0", ["http://127.0.0.1:5005/status"]),
        ("rasa-1", ["http://127.0.0.1:5005/status"]),
        ("postgres", ["pg_isready"]),
        ("redis", ["redis-cli", "ping"]),
        ("rabbitmq", ["rabbitmq-diagnostics", "ping"]),
        ("turns", ["/tmp/hukou-turns.alive", "-mmin"]),
    ],
)
def test_compose_healthchecks_probe_the_service(service: str, words: list[str]) -> None:
    test = services()[service]["healthcheck"]["test"]
    text = test if isinstance(test, str) else " ".join(test)
    for word in words:
        assert word in text, f"{service}'s healthcheck does not use {word}: {text}"


def test_compose_start_order() -> None:
    svc = services()

    def depends(name: str) -> dict[str, str]:
        deps = svc[name].get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions"
        return {dep: spec["condition"] for dep, spec in deps.items()}

    assert depends("gateway") == {
        "migrate": "service_completed_successfully",
        "rasa-0": "service_healthy",
        "rasa-1": "service_healthy",
    }
    assert depends("migrate") == {"postgres": "service_healthy"}
    for worker in ("rasa-0", "rasa-1"):
        for backing in ("postgres", "redis", "rabbitmq"):
            assert depends(worker)[backing] == "service_healthy", worker
        # The actions in the worker answer from the FAQ database: its schema comes first.
        assert depends(worker)["migrate"] == "service_completed_successfully", worker
    for name in svc:
        for dep, condition in depends(name).items():
            assert dep in svc, f"{name} depends on an unknown service {dep}"
            if condition == "service_healthy":
                assert "healthcheck" in svc[dep], f"{name} waits for {dep}'s missing healthcheck"
            else:
                assert condition == "service_completed_successfully" and dep == "migrate"

    # Everything is reached from the gateway or the turn-log consumer (which serves nobody,
    # so nothing waits for it), and nothing waits for itself.
    def reach(name: str, path: tuple[str, ...]) -> set[str]:
        assert name not in path, f"depends_on cycle: {' → '.join((*path, name))}"
        return {name}.union(*(reach(dep, (*path, name)) for dep in depends(name)))

    assert depends("turns") == {
        "rabbitmq": "service_healthy",
        "migrate": "service_completed_successfully",
    }
    assert reach("gateway", ()) | reach("turns", ()) == set(svc)


def test_compose_gateway_routes_to_every_rasa_worker() -> None:
    env = compose_env("gateway")
    workers = sorted(name for name in services() if name.startswith("rasa-"))
    assert env["HUKOU_RASA_URLS"].split(",") == [f"http://{w}:5005" for w in workers]
    # No action server to check: the actions run in the workers (see the next test).
    assert env["HUKOU_ACTION_URL"] == ""
    ports = [str(p) for p in services()["gateway"]["ports"]]
    assert [p.rsplit(":", 1)[-1] for p in ports] == ["8000"]


def test_compose_workers_run_the_actions_and_no_service_calls_an_action_server() -> None:
    for worker in ("rasa-0", "rasa-1"):
        env = compose_env(worker)
        assert env["HUKOU_ACTIONS"] == "in-process", worker
        assert "HUKOU_ACTION_URL" not in env, f"{worker}: no action server to call"
        endpoints = Profile.from_env(env).endpoints("")
        assert endpoints["action_endpoint"] == {"url": IN_PROCESS_URL}
    for name, service in services().items():
        assert service.get("command") != ["actions"], f"{name} is an action server"
        text = yaml.safe_dump(service)
        for word in (":5055", "//actions", "HUKOU_ACTIONS: server"):
            assert word not in text, f"{name} refers to an action server ({word})"
    # How to go back to a separate action server is written down.
    header = header_comment(COMPOSE)
    for needed in ("HUKOU_ACTIONS: server", "HUKOU_ACTION_URL: http://actions:5055", '["actions"]'):
        assert needed in header, needed


def test_compose_rasa_environment_is_a_valid_production_profile() -> None:
    for worker in ("rasa-0", "rasa-1"):
        env = compose_env(worker)
        assert env["HUKOU_PROFILE"] == "production"
        endpoints = Profile.from_env(env).endpoints("")
        assert endpoints["tracker_store"]["url"] == "postgres"
        assert endpoints["lock_store"]["url"] == "redis"
        assert endpoints["event_broker"]["url"] == "rabbitmq"
        for store in ("tracker_store", "lock_store", "event_broker"):
            assert endpoints[store]["password"] == PLACEHOLDER, store
    # One FAQ database: migrate upgrades it, the actions (in the workers) and the gateway use it.
    faq = {compose_env(name)["DATABASE_URL"] for name in COMPOSE_APP}
    assert len(faq) == 1 and urlsplit(faq.pop()).hostname == "postgres"


def test_compose_rasa_memory_allows_for_the_actions() -> None:
    units = {"b": 1, "k": 2**10, "m": 2**20, "g": 2**30}
    for worker in ("rasa-0", "rasa-1"):
        limit = str(services()[worker]["deploy"]["resources"]["limits"]["memory"]).lower()
        size = float(limit[:-1]) * units[limit[-1]] if limit[-1] in units else float(limit)
        # What a worker had with a separate action server (1536M), plus the actions.
        assert size >= 1536 * 2**20 + ACTIONS_IN_WORKER, f"{worker}: {limit}"


def test_compose_password_variables_are_in_the_env_example() -> None:
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE.read_text(encoding="utf-8")))
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD"} <= required
    example = env_example()
    assert required <= set(example), f"missing in .env.example: {required - set(example)}"
    for name in required:
        assert example[name] == PLACEHOLDER, name


def test_the_env_file_is_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT, check=False
    ).returncode
    assert ignored == 0, "deploy/.env must be in .gitignore"
    tracked = subprocess.run(
        ["git", "ls-files", "deploy/.env"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert tracked.stdout.strip() == ""
    assert "deploy/.env" in DOCKERIGNORE.read_text(encoding="utf-8").split()


# --- no secrets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample",
    [
        {"POSTGRES_PASSWORD": "s3cret-value"},
        {"environment": {"RABBITMQ_DEFAULT_PASS": "guest"}},
        {"env": [{"name": "REDIS_PASSWORD", "value": "hunter2"}]},
        {"DATABASE_URL": "postgresql://hukou:hunter2@postgres/hukou_faq"},
        {"url": "amqp://guest:guest@rabbitmq:5672/"},
        {"command": ["redis-server", "--requirepass", "hunter2"]},
        {"stringData": {"API_TOKEN": "abc123"}},
    ],
)
def test_the_secret_scan_finds_literal_secrets(sample: dict[str, Any]) -> None:
    assert literal_secrets(sample)


@pytest.mark.parametrize(
    "sample",
    [
        {"POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set it in deploy/.env}"},
        {"POSTGRES_PASSWORD": PLACEHOLDER},
        {"url": "postgresql://hukou:${POSTGRES_PASSWORD:?set it in deploy/.env}@postgres/x"},
        {"url": "redis://:CHANGE_ME@redis:6379/1"},
        {"args": ["redis-server", "--requirepass", "$(REDIS_PASSWORD)"]},
        {"env": [{"name": "X_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "k"}}}]},
        {"DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:5432/hukou_faq"},
    ],
)
def test_the_secret_scan_accepts_references_and_placeholders(sample: dict[str, Any]) -> None:
    assert literal_secrets(sample) == []


@pytest.mark.parametrize(
    "path", deploy_yaml_files(), ids=lambda p: p.relative_to(DEPLOY).as_posix()
)
def test_no_literal_secrets_in_the_manifests(path: Path) -> None:
    for number, doc in enumerate(load_docs(path)):
        assert literal_secrets(doc, f"{path.name}#{number}") == []


def test_no_literal_secrets_in_the_env_example_and_dockerfile() -> None:
    for key, value in env_example().items():
        if _SECRET_NAME.search(key):
            assert value == PLACEHOLDER, f".env.example: {key} must be {PLACEHOLDER}"
        assert literal_secrets({key: value}) == [], key
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s*(ENV|ARG)\b", line):
            assert not _SECRET_NAME.search(line), f"Dockerfile: {line.strip()}"


# --- environment variables ------------------------------------------------------------------


def test_the_code_reads_the_variables_the_deployment_relies_on() -> None:
    names = code_env_names()
    assert set().union(*REQUIRED.values()) <= names
    assert Profile.from_env({"HUKOU_PROFILE": "production"}).name == "production"
    # HUKOU_ACTIONS (bot/stack/profile.py): in-process by default in production, or the
    # action server.
    assert Profile.from_env({"HUKOU_PROFILE": "production"}).actions_in_process
    server = Profile.from_env({"HUKOU_PROFILE": "production", "HUKOU_ACTIONS": "server"})
    assert server.endpoints("http://actions:5055/webhook")["action_endpoint"] == {
        "url": "http://actions:5055/webhook"
    }
    assert "HUKOU_SECURE_COOKIES" in names and "HUKOU_TRUSTED_PROXIES" in names


def test_compose_sets_only_variables_the_code_reads() -> None:
    for name, role in COMPOSE_APP.items():
        env = compose_env(name)
        unknown = set(env) - code_env_names()
        assert not unknown, f"{name} sets variables no code reads: {sorted(unknown)}"
        missing = REQUIRED[role] - set(env)
        assert not missing, f"{name} ({role}) lacks {sorted(missing)}"


def test_k8s_sets_only_variables_the_code_reads() -> None:
    roles = set()
    for workload in app_workloads():
        for container in pod_spec(workload)["containers"]:
            role = container["args"][0]
            roles.add(role)
            env = container_env(container)
            unknown = set(env) - code_env_names()
            assert not unknown, f"{role} gets variables no code reads: {sorted(unknown)}"
            missing = REQUIRED[role] - set(env)
            assert not missing, f"{role} lacks {sorted(missing)}"
    assert roles == set(ROLES)


def test_k8s_rasa_environment_is_a_valid_production_profile() -> None:
    env = container_env(app_container("rasa"))
    assert env["HUKOU_PROFILE"] == "production"
    assert env["HUKOU_ACTIONS"] == "in-process"
    endpoints = Profile.from_env(env).endpoints("")
    # The template points at the evaluation services of services.yaml by their Service names.
    hosts = {
        "tracker_store": "postgres",
        "lock_store": "redis",
        "event_broker": "rabbitmq",
    }
    for store, host in hosts.items():
        assert endpoints[store]["url"] == host
        k8s_object("Service", host)
        k8s_object("StatefulSet", host)
    # The actions run in the worker and answer from the gateway's FAQ database.
    assert endpoints["action_endpoint"] == {"url": IN_PROCESS_URL}
    faq = container_env(app_container("gateway"))["DATABASE_URL"]
    assert env["DATABASE_URL"] == faq and urlsplit(faq).hostname == "postgres"


@pytest.mark.parametrize("source", ["compose", "k8s"])
def test_the_gateway_settings_accept_the_environment(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.web.settings import Settings

    env = compose_env("gateway") if source == "compose" else container_env(app_container("gateway"))
    for key in list(os.environ):
        if key.startswith("HUKOU_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert len(settings.rasa_urls.split(",")) == 2
    # Empty: /healthz checks no action server (the actions run in the Rasa workers).
    assert settings.action_url == env["HUKOU_ACTION_URL"] == ""
    assert settings.worker_concurrency == int(env["HUKOU_WORKER_CONCURRENCY"]) >= 1
    assert isinstance(settings.secure_cookies, bool)
    assert settings.trusted_proxies == int(env["HUKOU_TRUSTED_PROXIES"])
    # The same secret as the workers': /healthz and the API calls need it.
    assert settings.rasa_token == env["HUKOU_RASA_TOKEN"] != ""
    worker_env = (
        compose_env("rasa-0") if source == "compose" else container_env(app_container("rasa"))
    )
    assert Profile.from_env(worker_env).rasa_token == settings.rasa_token


def test_the_worker_concurrency_is_the_measured_one_everywhere() -> None:
    from bot.web.settings import Settings

    compose_value = compose_env("gateway")["HUKOU_WORKER_CONCURRENCY"]
    k8s_value = container_env(app_container("gateway"))["HUKOU_WORKER_CONCURRENCY"]
    assert compose_value == k8s_value, "compose and Kubernetes disagree"
    assert compose_value == str(Settings().worker_concurrency), "not the gateway's default"
    assert CONCURRENCY_SWEEP.is_file()
    for path in (COMPOSE, CONFIG_MAP):
        where = CONCURRENCY_SWEEP.relative_to(ROOT).as_posix()
        assert where in comment_above(path, "HUKOU_WORKER_CONCURRENCY"), path.name


# --- Kubernetes -----------------------------------------------------------------------------


def test_k8s_objects_live_in_one_namespace() -> None:
    k8s_object("Namespace", NAMESPACE)
    for obj in k8s_objects():
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == NAMESPACE, obj["metadata"]["name"]


def test_k8s_app_workloads() -> None:
    kinds = {component(w): w["kind"] for w in app_workloads()}
    assert kinds == {
        "migrate": "Job",
        "actions": "Deployment",
        "rasa": "StatefulSet",
        "gateway": "Deployment",
        "turns": "Deployment",
    }
    assert {component(w) for w in default_app_workloads()} == set(DEFAULT_ROLES)
    assert k8s_object("Deployment", "gateway")["spec"]["replicas"] == 2
    job = k8s_object("Job", "hukou-migrate")
    assert pod_spec(job)["restartPolicy"] in {"Never", "OnFailure"}
    for workload in app_workloads():
        (container,) = pod_spec(workload)["containers"]
        assert container["args"] == [component(workload)], workload["metadata"]["name"]
        assert "command" not in container, "the image's entrypoint chooses the process"


def test_k8s_app_containers_use_the_same_image() -> None:
    images = {c["image"] for w in app_workloads() for c in pod_spec(w)["containers"]}
    assert len(images) == 1, images
    (kustomization,) = load_docs(KUSTOMIZATION)
    names = {image["name"] for image in kustomization.get("images", [])}
    assert {images.pop().rsplit(":", 1)[0]} == names


def test_k8s_workload_containers_have_probes_and_resources() -> None:
    for kind in WORKLOADS:
        for workload in k8s_objects(kind):
            for container in pod_spec(workload)["containers"]:
                where = f"{kind} {workload['metadata']['name']}/{container['name']}"
                if kind != "Job":
                    assert container.get("readinessProbe"), f"{where}: readinessProbe"
                    assert container.get("livenessProbe"), f"{where}: livenessProbe"
                resources = container.get("resources", {})
                requests = resources.get("requests", {})
                assert {"cpu", "memory"} <= set(requests), f"{where}: requests"
                limit = resources.get("limits", {}).get("memory")
                assert limit and quantity(limit) >= quantity(requests["memory"]), where


def http_probes(container: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    probes = {}
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        if kind in container:
            probe = container[kind]
            if "httpGet" in probe:
                probes[kind] = probe
    return probes


def test_k8s_probe_ports_are_container_ports() -> None:
    for kind in ("Deployment", "StatefulSet"):
        for workload in k8s_objects(kind):
            for container in pod_spec(workload)["containers"]:
                ports = {p.get("name") for p in container.get("ports", [])} | {
                    p["containerPort"] for p in container.get("ports", [])
                }
                for name, probe in http_probes(container).items():
                    assert probe["httpGet"]["port"] in ports, f"{container['name']} {name}"


def test_k8s_gateway_probes_are_gateway_routes(gateway_routes: set[str]) -> None:
    assert "/healthz" in gateway_routes
    container = app_container("gateway")
    probes = http_probes(container)
    assert probes["readinessProbe"]["httpGet"]["path"] == "/healthz"
    liveness = container["livenessProbe"]
    if "httpGet" in liveness:
        # /healthz fails while Rasa is down: as liveness it would need a generous threshold.
        path = liveness["httpGet"]["path"]
        assert path != "/healthz" or liveness.get("failureThreshold", 3) >= 10
    else:
        assert "tcpSocket" in liveness
    for probe in probes.values():
        assert probe["httpGet"]["path"] in gateway_routes, probe["httpGet"]["path"]


def test_k8s_action_server_probes_are_its_routes() -> None:
    routes = route_paths("rasa_sdk", "endpoint.py")
    assert "/health" in routes
    probes = http_probes(app_container("actions"))
    assert probes["readinessProbe"]["httpGet"]["path"] == "/health"
    assert probes["livenessProbe"]["httpGet"]["path"] == "/health"


def test_k8s_rasa_probes_are_its_routes_and_allow_model_loading() -> None:
    routes = route_paths("rasa", "server.py")
    assert {"/", "/status"} <= routes
    container = app_container("rasa")
    probes = http_probes(container)
    assert set(probes) == {"startupProbe", "livenessProbe"}
    for probe in probes.values():
        assert probe["httpGet"]["path"] in routes
    # Readiness is the model answering /status, which needs the API token: an exec probe
    # that reads it from the container's environment (an httpGet path cannot).
    (command,) = [c for c in container["readinessProbe"]["exec"]["command"] if "/status" in c]
    assert "http://127.0.0.1:5005/status?token=" in command
    assert "os.environ['HUKOU_RASA_TOKEN']" in command
    assert "HUKOU_RASA_TOKEN" in container_env(container)
    assert probes["startupProbe"]["httpGet"]["path"] == "/"
    startup = probes["startupProbe"]
    budget = startup.get("initialDelaySeconds", 0) + startup.get("periodSeconds", 10) * startup.get(
        "failureThreshold", 3
    )
    assert budget >= 120, f"the model may take two minutes to load; startupProbe allows {budget} s"


def test_k8s_gateway_routes_to_exactly_the_rasa_statefulset_pods() -> None:
    sts = k8s_object("StatefulSet", "rasa")
    service = k8s_object("Service", sts["spec"]["serviceName"])
    assert service["spec"].get("clusterIP") == "None", "the Rasa workers' Service is headless"
    labels = sts["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert sts["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (port,) = service["spec"]["ports"]
    (container,) = pod_spec(sts)["containers"]
    assert {p["containerPort"] for p in container["ports"]} == {port["port"]} == {PORTS["rasa"]}
    name, svc = sts["metadata"]["name"], service["metadata"]["name"]
    expected = [
        f"http://{name}-{ordinal}.{svc}:{port['port']}"
        for ordinal in range(sts["spec"]["replicas"])
    ]
    assert container_env(app_container("gateway"))["HUKOU_RASA_URLS"].split(",") == expected
    assert expected == ["http://rasa-0.rasa:5005", "http://rasa-1.rasa:5005"]


def test_k8s_services_select_pods_and_their_ports() -> None:
    workloads = [w for kind in ("Deployment", "StatefulSet") for w in k8s_objects(kind)]
    for service in k8s_objects("Service"):
        selector = service["spec"]["selector"]
        matching = [
            w
            for w in workloads
            if selector.items() <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matching) == 1, f"Service {service['metadata']['name']} selects {matching}"
        ports = {
            p.get("name") for c in pod_spec(matching[0])["containers"] for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, service["metadata"]["name"]


def test_k8s_default_stack_runs_the_actions_in_the_rasa_workers() -> None:
    assert ACTION_SERVER.name not in kustomization_resources()
    config = config_map_data("hukou-config")
    assert config["HUKOU_ACTIONS"] == "in-process"
    assert config["HUKOU_ACTION_URL"] == ""
    for workload in default_app_workloads():
        for container in pod_spec(workload)["containers"]:
            assert container["args"] != ["actions"], workload["metadata"]["name"]
            env = container_env(container)
            assert not env.get("HUKOU_ACTION_URL"), f"{container['name']} calls an action server"
    for path, doc in default_k8s_docs():
        text = yaml.safe_dump(doc)
        for word in (":5055", "//actions", "component: actions"):
            assert word not in text, f"{path.name}: {doc['kind']} refers to an action server"


def test_k8s_optional_action_server_is_consistent() -> None:
    """actions.yaml says how to switch to it; with those settings everything finds it."""
    header = header_comment(ACTION_SERVER)
    assert "OPTIONAL" in header
    assert f"# - {ACTION_SERVER.name}" in KUSTOMIZATION.read_text(encoding="utf-8")
    settings = dict(re.findall(r"\b(HUKOU_ACTIONS|HUKOU_ACTION_URL): (\S+)", header))
    assert settings.keys() == {"HUKOU_ACTIONS", "HUKOU_ACTION_URL"}, header
    assert settings.keys() <= config_map_data("hukou-config").keys()
    # The URL names the optional Service, which selects the action server's pods.
    url = urlsplit(settings["HUKOU_ACTION_URL"])
    service = k8s_object("Service", str(url.hostname))
    assert url.port == PORTS["actions"] and url.path == ""
    assert url.port in {p["port"] for p in service["spec"]["ports"]}
    deployment = k8s_object("Deployment", "actions")
    assert component(deployment) == "actions"
    assert (
        service["spec"]["selector"].items()
        <= deployment["spec"]["template"]["metadata"]["labels"].items()
    )
    (container,) = pod_spec(deployment)["containers"]
    assert {p["containerPort"] for p in container["ports"]} == {PORTS["actions"]}
    # The workers would then call it, and only it.
    env = {**container_env(app_container("rasa")), **settings}
    profile = Profile.from_env(env)
    assert not profile.actions_in_process
    webhook = f"{settings['HUKOU_ACTION_URL']}/webhook"
    assert profile.endpoints(webhook, "")["action_endpoint"] == {"url": webhook}
    # With the token, which the action server's pods get from the same Secret.
    assert profile.endpoints(webhook, "t")["action_endpoint"]["headers"] == {
        "Authorization": "Bearer t"
    }
    (item,) = [e for e in container["env"] if e["name"] == "HUKOU_RASA_TOKEN"]
    assert item["valueFrom"]["secretKeyRef"] == {"name": "hukou-secrets", "key": "HUKOU_RASA_TOKEN"}


def test_k8s_rasa_resources_and_disruption_budget() -> None:
    sts = k8s_object("StatefulSet", "rasa")
    (container,) = pod_spec(sts)["containers"]
    # What a worker had with a separate action server (1536Mi, 1Gi), plus the actions.
    assert quantity(container["resources"]["limits"]["memory"]) >= 1.5 * 2**30 + ACTIONS_IN_WORKER
    assert quantity(container["resources"]["requests"]["memory"]) >= 2**30 + ACTIONS_IN_WORKER
    labels = sts["spec"]["template"]["metadata"]["labels"]
    budgets = [
        p
        for p in k8s_objects("PodDisruptionBudget")
        if p["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    assert len(budgets) == 1
    spec = budgets[0]["spec"]
    replicas = sts["spec"]["replicas"]
    allowed_down = (
        spec["maxUnavailable"] if "maxUnavailable" in spec else replicas - spec["minAvailable"]
    )
    assert 1 <= allowed_down < replicas


def test_k8s_app_pods_run_unprivileged() -> None:
    for workload in app_workloads():
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
        # Service links would add e.g. RASA_PORT=tcp://… to every container's environment.
        assert spec["enableServiceLinks"] is False
        for container in spec["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_k8s_secret_template_holds_only_placeholders() -> None:
    text = SECRET_TEMPLATE.read_text(encoding="utf-8")
    assert "vault" in text.lower() and "do not commit" in text.lower()
    secret = secret_template()
    assert "data" not in secret, "base64 data hides what is in it: stringData placeholders only"
    assert secret["stringData"]
    for key, value in secret["stringData"].items():
        assert PLACEHOLDER in str(value), f"{key} is not a placeholder"
    others = [p.name for p, doc in k8s_docs() if doc.get("kind") == "Secret"]
    assert others == [SECRET_TEMPLATE.name], f"Secrets outside the template: {others}"


def test_k8s_ingress_points_at_the_gateway_service() -> None:
    ingress = k8s_object("Ingress", "gateway")
    service = k8s_object("Service", "gateway")
    port_names = {p["name"] for p in service["spec"]["ports"]}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "gateway" and backend["port"]["name"] in port_names


def test_kustomization_applies_the_app_but_not_the_optional_files() -> None:
    (kustomization,) = load_docs(KUSTOMIZATION)
    resources = kustomization["resources"]
    for name in resources:
        assert (K8S / name).is_file(), name
    optional = {
        SECRET_TEMPLATE.name,
        EVALUATION_SERVICES.name,
        INGRESS.name,
        ACTION_SERVER.name,
        KUSTOMIZATION.name,
    }
    assert set(resources) == {p.name for p in K8S.glob("*.yaml")} - optional


def test_evaluation_services_are_marked_and_complete() -> None:
    assert "FOR EVALUATION ONLY" in EVALUATION_SERVICES.read_text(encoding="utf-8")
    names = {
        doc["metadata"]["name"]
        for doc in load_docs(EVALUATION_SERVICES)
        if doc["kind"] == "StatefulSet"
    }
    assert names == {"postgres", "redis", "rabbitmq"}


# --- Dockerfile -----------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_base_image_and_locked_install() -> None:
    steps = dockerfile_instructions()
    assert steps[0] == ("FROM", "python:3.10-slim")
    assert [s for s in steps if s[0] == "FROM"] == [steps[0]]
    runs = [args for word, args in steps if word == "RUN"]
    assert any(re.search(r"pip install .*\buv\b", run) for run in runs), "uv is installed"
    syncs = [run for run in runs if "uv sync" in run]
    assert syncs, "the environment is installed with uv sync"
    for run in syncs:
        assert "--frozen" in run.split() and "--no-dev" in run.split(), run
    # --no-dev leaves out the dependency group "dev" (pytest, ruff, mypy, playwright).
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^\[dependency-groups\]\s*\ndev = \[", pyproject, re.MULTILINE)


def test_dockerfile_trains_the_model_at_build_time() -> None:
    steps = dockerfile_instructions()
    relative = [
        str(Path(arg).relative_to(ROOT)) if arg.startswith(str(ROOT)) else arg
        for arg in train_command()[1:]
    ]
    trains = [i for i, (word, args) in enumerate(steps) if word == "RUN" and "rasa train" in args]
    assert len(trains) == 1, "the model is trained once, in the image"
    args = steps[trains[0]][1].split("rasa train", 1)[1].split(">")[0].split()
    assert args == relative[1:], f"not the project's training command: {args}"
    assert relative[-2:] == ["--fixed-model-name", "hukou"]
    assert not any(word == "COPY" and "models" in args.split() for word, args in steps)
    assert "models" in DOCKERIGNORE.read_text(encoding="utf-8").split(), (
        "a local model is not copied"
    )


def test_dockerfile_does_not_run_as_root() -> None:
    steps = dockerfile_instructions()
    users = [(i, args) for i, (word, args) in enumerate(steps) if word == "USER"]
    assert users, "the image sets a USER"
    last, user = users[-1]
    assert user.split(":")[0] not in {"root", "0"}
    train = next(i for i, (word, args) in enumerate(steps) if "rasa train" in args)
    assert last > train, "training writes models/ as root; the runtime user comes after"
    entrypoint = next(args for word, args in steps if word == "ENTRYPOINT")
    assert "deploy/entrypoint.sh" in entrypoint


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    assert {".git", ".venv", "models", "var", "deploy/.env"} <= ignored


# --- entrypoint.sh --------------------------------------------------------------------------


def test_entrypoint_is_valid_bash_and_executable() -> None:
    subprocess.run(["bash", "-n", str(ENTRYPOINT)], check=True)
    assert ENTRYPOINT.stat().st_mode & stat.S_IXUSR


@pytest.fixture
def stub_python(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A ``python`` that records ``python -m …`` (the role's process) and runs the rest."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv"
    stub = bin_dir / "python"
    stub.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "${1:-}" = "-m" ]; then\n'
        f"  printf '%s\\n' \"$@\" > {log}\n"
        f'  echo "TICKET_LOCK_LIFETIME=${{TICKET_LOCK_LIFETIME:-}}" > {log}.env\n'
        f'  echo "SANIC_HOST=${{SANIC_HOST:-}}" >> {log}.env\n'
        "  exit 0\n"
        "fi\n"
        f'exec {sys.executable} "$@"\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'faq.sqlite3'}",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    yield log, env


def run_role(role: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ENTRYPOINT), role],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("role", "argv"),
    [
        ("actions", "-m bot.rasa_ext.action_server --actions actions --port 5055 --endpoints"),
        (
            "gateway",
            "-m bot.web.serve bot.web.app:create_app --factory --host 0.0.0.0 --port 8000 --ws none"
            " --no-proxy-headers --no-access-log",
        ),
        ("migrate", "-m bot.cli db upgrade"),
        ("turns", "-m bot.stack.turn_consumer"),
    ],
)
def test_entrypoint_starts_each_role(
    role: str, argv: str, stub_python: tuple[Path, dict[str, str]]
) -> None:
    log, env = stub_python
    result = run_role(role, {**env, "HUKOU_RASA_TOKEN": "t0k"})
    assert result.returncode == 0, result.stderr
    words = log.read_text(encoding="utf-8").split()
    if role == "actions":  # the last word is the private endpoints file
        Path(words.pop()).unlink()
    assert words == argv.split()


def start_rasa_worker(
    log: Path, env: Mapping[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str], dict[str, Any]]:
    """Run the rasa role; its process's argv and the endpoints file it was given (removed)."""
    return start_role("rasa", log, env)


def start_role(
    role: str, log: Path, env: Mapping[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str], dict[str, Any]]:
    """Run ``role``; its process's argv and the endpoints file it was given (removed)."""
    result = run_role(role, env)
    assert result.returncode == 0, result.stderr
    argv = log.read_text(encoding="utf-8").split()
    endpoints = Path(argv[argv.index("--endpoints") + 1])
    try:
        assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600
        written = yaml.safe_load(endpoints.read_text(encoding="utf-8"))
    finally:
        endpoints.unlink(missing_ok=True)
    return result, argv, written


def test_entrypoint_starts_a_rasa_worker_with_the_profile_endpoints(
    stub_python: tuple[Path, dict[str, str]],
) -> None:
    log, env = stub_python
    rasa_env = compose_env("rasa-0")
    # In process (the default stack): no action server, and no HUKOU_ACTION_URL needed.
    assert rasa_env["HUKOU_ACTIONS"] == "in-process" and "HUKOU_ACTION_URL" not in rasa_env
    result, argv, written = start_rasa_worker(log, {**env, **rasa_env})
    endpoints = argv[argv.index("--endpoints") + 1]
    assert argv == [
        "-m", "bot.rasa_ext.server", "run", "--model", "models/hukou.tar.gz",
        "--endpoints", endpoints, "--credentials", "bot/credentials.yml",
        "--port", "5005", "--enable-api", "--interface", "0.0.0.0",
    ]  # fmt: skip
    assert written == Profile.from_env(rasa_env).endpoints("")
    # bot/rasa_ext/server.py loads the actions into the worker when it reads this URL.
    assert written["action_endpoint"] == {"url": IN_PROCESS_URL}
    assert "HUKOU_ACTION_URL" not in result.stderr
    assert (ROOT / "bot" / "credentials.yml").is_file()
    # As `hukou serve`: a dead worker's conversation lock expires after 15 s.
    assert "TICKET_LOCK_LIFETIME=15" in Path(f"{log}.env").read_text(encoding="utf-8").split()


@pytest.mark.parametrize(
    ("settings", "action_url", "warning"),
    [
        # A separate action server: Rasa calls its webhook.
        (
            {"HUKOU_ACTIONS": "server", "HUKOU_ACTION_URL": "http://actions:5055/"},
            "http://actions:5055/webhook",
            None,
        ),
        # In process, a left-over action server URL is ignored, and the log says so.
        (
            {"HUKOU_ACTIONS": "in-process", "HUKOU_ACTION_URL": "http://actions:5055"},
            IN_PROCESS_URL,
            "HUKOU_ACTION_URL=http://actions:5055 is ignored",
        ),
    ],
)
def test_entrypoint_writes_the_action_endpoint_of_hukou_actions(
    settings: dict[str, str],
    action_url: str,
    warning: str | None,
    stub_python: tuple[Path, dict[str, str]],
) -> None:
    log, env = stub_python
    rasa_env = {**compose_env("rasa-0"), **settings, "HUKOU_RASA_TOKEN": "t0k"}
    result, _, written = start_rasa_worker(log, {**env, **rasa_env})
    assert written["action_endpoint"]["url"] == action_url
    # Rasa sends the token to a separate action server, which refuses calls without it.
    headers = {"Authorization": "Bearer t0k"} if action_url != IN_PROCESS_URL else None
    assert written["action_endpoint"].get("headers") == headers
    assert written == Profile.from_env(rasa_env).endpoints(action_url)
    if warning:
        assert warning in result.stderr
    else:
        assert "HUKOU_ACTION_URL" not in result.stderr


def test_entrypoint_refuses_a_rasa_worker_without_the_production_profile(
    stub_python: tuple[Path, dict[str, str]],
) -> None:
    log, env = stub_python
    rasa_env = {k: v for k, v in compose_env("rasa-0").items() if k != "HUKOU_PROFILE"}
    result = run_role("rasa", {**env, **rasa_env})
    assert result.returncode == 2 and "HUKOU_PROFILE=production" in result.stderr
    assert not log.exists()
    bad = {**rasa_env, "HUKOU_PROFILE": "production", "HUKOU_REDIS_URL": "http://redis"}
    result = run_role("rasa", {**env, **bad})
    assert result.returncode != 0 and "HUKOU_REDIS_URL" in result.stderr
    assert not log.exists()
    # A separate action server needs its URL; HUKOU_ACTIONS takes only the known modes.
    production = {**rasa_env, "HUKOU_PROFILE": "production"}
    for settings, named in (
        ({"HUKOU_ACTIONS": "server"}, "HUKOU_ACTION_URL"),
        ({"HUKOU_ACTIONS": "server", "HUKOU_ACTION_URL": " "}, "HUKOU_ACTION_URL"),
        ({"HUKOU_ACTIONS": "inprocess"}, "HUKOU_ACTIONS"),
    ):
        result = run_role("rasa", {**env, **production, **settings})
        assert result.returncode != 0 and named in result.stderr, settings
        assert not log.exists()


def test_entrypoint_documents_both_action_layouts() -> None:
    header = header_comment(ENTRYPOINT)
    # The actions role is still there, for the action-server layout only.
    assert re.search(
        r"\bactions +the rasa_sdk action server .*only for HUKOU_ACTIONS=server", header
    )
    # Both values of HUKOU_ACTIONS, each with what it needs.
    assert re.search(r"\bin-process +\(the default .*HUKOU_ACTION_URL not needed", header)
    assert re.search(r"\bserver +.*`actions` role .*HUKOU_ACTION_URL", header)


def test_entrypoint_uses_the_command_lines_of_hukou_serve() -> None:
    import inspect

    stack = inspect.getsource(Stack)
    script = ENTRYPOINT.read_text(encoding="utf-8")
    for token in (
        '"bot.rasa_ext.action_server", "--actions", "actions"',
        '"bot.rasa_ext.server", "run", "--model"',
        '"--enable-api"',
        '"-m", "bot.web.serve", "bot.web.app:create_app", "--factory"',
        '"--ws", "none"',
        "TICKET_LOCK_LIFETIME",
    ):
        assert token in stack, (
            f"bot/stack/processes.py no longer uses {token}: update the entrypoint"
        )
        words = [w.strip('"') for w in token.split(", ")]
        assert " ".join(words) in script, f"entrypoint.sh lacks {' '.join(words)}"


# --- README ---------------------------------------------------------------------------------


def test_readme_describes_the_deployment() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Deployment\n" in readme
    section = readme.split("\n## Deployment\n", 1)[1].split("\n## ", 1)[0]
    for needed in (
        "deploy/docker-compose.yml",
        "deploy/k8s",
        "HUKOU_RASA_URLS",
        "RasaHQ/rasa#9213",
    ):
        assert needed in section, needed


# --- who can reach the internal services (issue 19, items 4 and 5) ------------------------


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return dict(workload["spec"]["template"]["metadata"]["labels"])


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, f"only matchLabels is understood here: {selector}"
    return bool(dict(selector.get("matchLabels", {})).items() <= labels.items())


def allowed_sources(target: str, docs: list[tuple[Path, dict[str, Any]]]) -> set[str]:
    """The components whose pods may connect to ``target``'s pods under the NetworkPolicies
    of ``docs``; ``*`` stands for anyone (no policy, a rule without ``from``, another namespace
    or an IP block)."""
    (workload,) = [w for w in app_workloads() if component(w) == target]
    labels = pod_labels(workload)
    policies = [
        doc
        for _, doc in docs
        if doc["kind"] == "NetworkPolicy"
        and "Ingress" in doc["spec"].get("policyTypes", ["Ingress"])
        and selects(doc["spec"]["podSelector"], labels)
    ]
    if not policies:
        return {"*"}
    sources: set[str] = set()
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from")
            if not peers:
                return {"*"}
            for peer in peers:
                if set(peer) != {"podSelector"}:
                    return {"*"}
                sources |= {
                    component(w)
                    for w in app_workloads()
                    if selects(peer["podSelector"], pod_labels(w))
                }
    return sources


def test_k8s_only_the_gateway_reaches_the_rasa_workers() -> None:
    # Rasa's REST webhook takes no token: the policy is what keeps it from everyone else.
    assert allowed_sources("rasa", default_k8s_docs()) == {"gateway"}
    (policy,) = [doc for path, doc in default_k8s_docs() if doc["kind"] == "NetworkPolicy"]
    for rule in policy["spec"]["ingress"]:
        assert [p["port"] for p in rule["ports"]] == [PORTS["rasa"]]


def test_k8s_only_rasa_reaches_the_optional_action_server() -> None:
    with_actions = [(p, d) for p, d in k8s_docs() if p.name == ACTION_SERVER.name]
    assert allowed_sources("actions", with_actions) == {"rasa"}
    # The policy comes with the action server itself, so that applying it applies both.
    kinds = {d["kind"] for _, d in with_actions}
    assert {"Deployment", "Service", "NetworkPolicy"} <= kinds


def test_internal_services_listen_on_the_pod_address_only_where_a_policy_guards_them() -> None:
    for role, guarded_by in (("rasa", "gateway"), ("actions", "rasa")):
        env = container_env(app_container(role))
        assert env["HUKOU_LISTEN_ADDRESS"] == "0.0.0.0", role
        assert allowed_sources(role, k8s_docs()) == {guarded_by}, role
    # The gateway is the one meant to be reached (through its Service and the Ingress).
    assert "HUKOU_LISTEN_ADDRESS" not in container_env(app_container("gateway"))


def test_compose_publishes_only_the_gateway() -> None:
    published = {name for name, service in services().items() if service.get("ports")}
    assert published == {"gateway"}
    for worker in ("rasa-0", "rasa-1"):
        assert compose_env(worker)["HUKOU_LISTEN_ADDRESS"] == "0.0.0.0"
        assert "expose" not in services()[worker]


def test_the_rasa_token_is_one_secret_shared_by_workers_and_gateway() -> None:
    raw = {
        name: services()[name]["environment"]["HUKOU_RASA_TOKEN"]
        for name in COMPOSE_APP
        if name not in ("migrate", "turns")
    }
    assert len(set(raw.values())) == 1 and ":?" in raw["gateway"], raw
    assert env_example()["HUKOU_RASA_TOKEN"] == PLACEHOLDER
    assert secret_data("hukou-secrets")["HUKOU_RASA_TOKEN"] == PLACEHOLDER
    for role in ("rasa", "gateway"):
        (item,) = [e for e in app_container(role)["env"] if e["name"] == "HUKOU_RASA_TOKEN"]
        assert item["valueFrom"]["secretKeyRef"] == {
            "name": "hukou-secrets",
            "key": "HUKOU_RASA_TOKEN",
        }
    assert "HUKOU_RASA_TOKEN" not in config_map_data("hukou-config")


def test_entrypoint_binds_rasa_and_actions_to_loopback_unless_configured(
    stub_python: tuple[Path, dict[str, str]],
) -> None:
    log, env = stub_python
    rasa_env = {k: v for k, v in compose_env("rasa-0").items() if k != "HUKOU_LISTEN_ADDRESS"}
    _, argv, _ = start_rasa_worker(log, {**env, **rasa_env})
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    result = run_role("actions", {**env, "HUKOU_RASA_TOKEN": "t0k"})
    assert result.returncode == 0, result.stderr
    # rasa_sdk's own default is 0.0.0.0; it reads its address from SANIC_HOST alone.
    assert "SANIC_HOST=127.0.0.1" in Path(f"{log}.env").read_text(encoding="utf-8").split()
    spec = importlib.util.find_spec("rasa_sdk.endpoint")
    assert spec and spec.origin
    assert 'os.environ.get("SANIC_HOST", "0.0.0.0")' in Path(spec.origin).read_text("utf-8")
    result = run_role(
        "actions", {**env, "HUKOU_RASA_TOKEN": "t0k", "HUKOU_LISTEN_ADDRESS": "0.0.0.0"}
    )
    assert "SANIC_HOST=0.0.0.0" in Path(f"{log}.env").read_text(encoding="utf-8").split()


def test_entrypoint_gives_rasa_the_token_through_the_endpoints_file_only(
    stub_python: tuple[Path, dict[str, str]],
) -> None:
    from bot.rasa_ext.server import TOKEN_KEY

    log, env = stub_python
    rasa_env = {**compose_env("rasa-0"), "HUKOU_RASA_TOKEN": "k8s-secret_Token-123"}
    _, argv, written = start_rasa_worker(log, {**env, **rasa_env})
    assert written[TOKEN_KEY] == "k8s-secret_Token-123"
    # Not on the command line, where every user of the node would read it (ps).
    assert not any("k8s-secret" in arg for arg in argv) and "--auth-token" not in argv
    # Without a token the worker does not start: its API would be open to anyone.
    for missing in ({"HUKOU_RASA_TOKEN": ""}, {"HUKOU_RASA_TOKEN": "  "}):
        result = run_role("rasa", {**env, **rasa_env, **missing})
        assert result.returncode != 0 and "HUKOU_RASA_TOKEN" in result.stderr, missing
    result = run_role("rasa", {**env, **rasa_env, "HUKOU_RASA_TOKEN": "a&b"})
    assert result.returncode != 0 and "HUKOU_RASA_TOKEN" in result.stderr


def test_one_turn_log_consumer_whose_health_is_its_heartbeat() -> None:
    # A turn's events must be assembled by one process: one replica, never two at once.
    deployment = k8s_object("Deployment", "turns")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    container = app_container("turns")
    env = container_env(container)
    assert Profile.from_env(env).name == "production"
    assert env["DATABASE_URL"] == container_env(app_container("gateway"))["DATABASE_URL"]
    heartbeat = re.search(r'HUKOU_TURN_HEARTBEAT:-([^}"]+)', ENTRYPOINT.read_text(encoding="utf-8"))
    assert heartbeat is not None
    for probe in ("readinessProbe", "livenessProbe"):
        assert heartbeat.group(1) in " ".join(container[probe]["exec"]["command"])
    assert heartbeat.group(1) in " ".join(services()["turns"]["healthcheck"]["test"])


def test_entrypoint_gives_the_action_server_the_token_and_refuses_to_start_without(
    stub_python: tuple[Path, dict[str, str]],
) -> None:
    log, env = stub_python
    _, argv, written = start_role(
        "actions", log, {**env, "HUKOU_RASA_TOKEN": "k8s-secret_Token-123"}
    )
    assert not any("k8s-secret" in arg for arg in argv)
    assert written["action_endpoint"]["headers"] == {"Authorization": "Bearer k8s-secret_Token-123"}
    log.unlink()
    for missing in ({"HUKOU_RASA_TOKEN": ""}, {"HUKOU_RASA_TOKEN": "a&b"}):
        result = run_role("actions", {**env, **missing})
        assert result.returncode != 0 and "HUKOU_RASA_TOKEN" in result.stderr, missing
        assert not log.exists()
