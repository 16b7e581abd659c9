"""Schemathesis fuzzes every operation in /openapi.json, valid and invalid data, with a valid token.

It fails on any 5xx, any status or content type the document does not declare, any response
body that does not match its declared schema, valid data refused and invalid data accepted.
(Driven through hypothesis directly: schemathesis' pytest plugin does not run on pytest 9.)
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

import tests.support.schemathesis_hooks  # noqa: F401 (registers the hooks)
from tests.support.apps import memory_app
from todo_api.http.list_query import Sort
from todo_api.http.schemas import _DESCRIPTION_PATTERN, _TITLE_PATTERN
from todo_core.listing import SORTS
from todo_core.tasks import Task, check_description, check_title

USER = "alice"


CONFIG = Path(__file__).parents[1] / "support" / "schemathesis.toml"


def _schema() -> schemathesis.schemas.BaseSchema:  # type: ignore[type-arg]
    app, _, _ = memory_app(events_max_lifetime_seconds=0.05)  # a change stream ends at once
    config = SchemathesisConfig.from_path(str(CONFIG))
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


def _cases() -> list[object]:
    cases = []
    for result in _schema().get_all_operations():
        operation = result.ok()
        cases.append(pytest.param(operation.label, GenerationMode.POSITIVE))
        if "{" in operation.path:  # negative data needs some input to break
            cases.append(pytest.param(operation.label, GenerationMode.NEGATIVE))
    return cases


@pytest.mark.parametrize(("label", "mode"), _cases())
def test_operation_conforms_to_its_document(
    label: str, mode: GenerationMode, token_for: Callable[..., str]
) -> None:
    schema = _schema()
    operation = next(r.ok() for r in schema.get_all_operations() if r.ok().label == label)
    fixed = {"user_id": USER} if "{user_id}" in operation.path else None
    headers = {"Authorization": f"Bearer {token_for(USER)}"}

    @given(case=operation.as_strategy(mode, path_parameters=fixed))
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: Case) -> None:
        # Headers made invalid on purpose (the token left out, say) are sent as they are: the
        # valid token on top would make the request valid, and its 200 a false alarm.
        header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
        invalid_headers = header is not None and header.mode is GenerationMode.NEGATIVE
        case.call_and_validate(headers=None if invalid_headers else headers)

    run()


def _accepted(check: Callable[[object], object], value: str) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True


@given(st.text(max_size=230) | st.from_regex(_TITLE_PATTERN))
@settings(max_examples=400)
def test_documented_title_pattern_is_exactly_the_domain_rule(title: str) -> None:
    assert bool(re.match(_TITLE_PATTERN, title)) == _accepted(check_title, title)


@given(st.text(max_size=1001) | st.from_regex(_DESCRIPTION_PATTERN))
@settings(max_examples=400)
def test_documented_description_schema_is_exactly_the_domain_rule(description: str) -> None:
    documented = len(description) <= 1000 and bool(re.match(_DESCRIPTION_PATTERN, description))
    assert documented == _accepted(check_description, description)


def test_the_documented_task_is_the_domains_task_with_words_for_every_field() -> None:
    """Bodies are dumped from `Task` and the document is generated from `Task`: one definition.
    The document only adds a description to each field."""
    app, _, _ = memory_app()
    task = app.openapi()["components"]["schemas"]["Task"]
    assert list(task["properties"]) == [field.name for field in dataclasses.fields(Task)]
    assert set(task["required"]) == set(task["properties"])
    assert all(field["description"] for field in task["properties"].values())


def test_the_documented_sort_orders_are_the_domains() -> None:
    assert typing.get_args(Sort) == SORTS
