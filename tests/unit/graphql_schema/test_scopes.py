"""The scope table: every root field of the schema and every REST endpoint declares the scope
it needs, and each scope set is allowed or refused as specified (read for queries and
subscriptions, write for mutations, admin for account limits). A new operation without a
declared scope fails here."""

from itertools import combinations

import pytest

from app.domain.errors import Forbidden
from app.domain.principal import Principal, Scope
from graphql_schema.access.scopes import NEEDED, RootScope, check
from graphql_schema.schema import schema
from server import rest
from server.asgi import create_app

ADMIN_ONLY = {"Mutation.setAccountRateLimit"}
SCOPE_SETS = [frozenset(chosen) for size in range(4) for chosen in combinations(list(Scope), size)]


def root_fields() -> list[str]:
    types = schema._schema
    roots = [types.query_type, types.mutation_type, types.subscription_type]
    return sorted(f"{root.name}.{field}" for root in roots if root for field in root.fields)


def specified(operation: str) -> Scope:
    if operation in ADMIN_ONLY:
        return Scope.ADMIN
    return Scope.WRITE if operation.startswith("Mutation.") else Scope.READ


def test_every_root_field_declares_its_scope_and_no_declaration_is_stale() -> None:
    fields = root_fields()
    assert sorted(set(fields) - set(NEEDED)) == [], "root fields without a declared scope"
    assert sorted(set(NEEDED) - set(fields)) == [], "declared scopes of fields that are gone"


def test_every_root_field_checks_its_scope_as_it_resolves() -> None:
    types = schema._schema
    roots = [types.query_type, types.mutation_type, types.subscription_type]
    unchecked = [
        f"{root.name}.{name}"
        for root in roots
        if root
        for name, field in root.fields.items()
        if not any(
            isinstance(extension, RootScope)
            for extension in field.extensions[schema.schema_converter.DEFINITION_BACKREF].extensions
        )
    ]
    assert unchecked == []


@pytest.mark.parametrize("operation", root_fields())
def test_each_scope_set_is_allowed_or_refused_as_specified(operation: str) -> None:
    for scopes in SCOPE_SETS:
        caller = Principal(account_id="acct", scopes=scopes)
        if specified(operation) in scopes:
            check(caller, operation)
        else:
            with pytest.raises(Forbidden) as refused:
                check(caller, operation)
            assert specified(operation).value in refused.value.message


def test_tokens_without_scopes_keep_their_rights() -> None:
    user, admin = Principal(account_id="acct"), Principal(account_id="acct", role="admin")
    for operation in root_fields():
        if specified(operation) is Scope.ADMIN:
            with pytest.raises(Forbidden):
                check(user, operation)
        else:
            check(user, operation)
        check(admin, operation)


def test_an_undeclared_operation_is_refused() -> None:
    with pytest.raises(Forbidden):
        check(Principal(account_id="acct"), "Mutation.somethingNew")


def test_every_rest_endpoint_declares_its_scope() -> None:
    endpoints = [getattr(route, "endpoint", None) for route in create_app().routes]
    handlers = {
        endpoint.__name__
        for endpoint in endpoints
        if endpoint is not None and getattr(endpoint, "__module__", "") == rest.__name__
    }
    assert handlers and handlers == set(rest.NEEDED)
    assert rest.NEEDED == {
        "create_upload": Scope.WRITE,
        "export_logs": Scope.READ,
        "export_file": Scope.READ,
    }
