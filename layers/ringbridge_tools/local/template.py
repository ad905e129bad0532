"""template.yaml as data: functions, their routes and environment, tables and buckets."""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ringbridge import routes

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !GetAtt, !Sub) as their long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template: /ringotel/contacts/{id}

    def pattern(self) -> re.Pattern[str]:
        return routes.pattern(self.path)


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str  # module.path.lambda_handler
    code_uri: Path
    environment: dict[str, str]
    routes: tuple[Route, ...] = field(default=())
    has_url: bool = False
    timeout_seconds: int = 3  # Lambda's defaults, when neither the function nor Globals says
    memory_mb: int = 128

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


@cache
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def local_name(logical_id: str) -> str:
    """The physical name a resource gets in the local emulator."""
    return f"ringbridge-{logical_id.lower()}"


def resources(kind: str, path: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    """The template's resources of one type; Fn::ForEach loops (log groups, alarms) hold none the local stack runs."""
    return {k: v for k, v in load(path)["Resources"].items() if not k.startswith("Fn::ForEach::") and v["Type"] == kind}


def resolve(value: Any, path: Path = TEMPLATE) -> Any:
    """Resolve !Ref to parameters' defaults and local resource names; other values as they are."""
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        parameters = load(path).get("Parameters", {})
        if name in parameters:
            return str(parameters[name].get("Default", ""))
        if name == "AWS::StackName":
            return "ringbridge"
        return local_name(name)
    return value


def functions(path: Path = TEMPLATE) -> dict[str, Function]:
    template = load(path)
    defaults = template.get("Globals", {}).get("Function", {})
    found = {}
    for logical_id, resource in resources("AWS::Serverless::Function", path).items():
        props = {**defaults, **resource["Properties"]}
        variables = {
            **defaults.get("Environment", {}).get("Variables", {}),
            **resource["Properties"].get("Environment", {}).get("Variables", {}),
        }
        routes = tuple(
            Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"])
            for event in props.get("Events", {}).values()
            if event["Type"] == "HttpApi"
        )
        found[logical_id] = Function(
            logical_id=logical_id,
            handler=props["Handler"],
            code_uri=(path.parent / props["CodeUri"]).resolve(),
            environment={k: str(resolve(v, path)) for k, v in variables.items()},
            routes=routes,
            has_url="FunctionUrlConfig" in props,
            timeout_seconds=int(resolve(props.get("Timeout", 3), path)),
            memory_mb=int(resolve(props.get("MemorySize", 128), path)),
        )
    return found
