"""Filters: checked against the entity's schema, turned into one MongoDB query."""

from datetime import UTC, datetime

import pytest
from bson import ObjectId

from app.domain.entities import entities
from app.domain.errors import BadUserInput
from app.domain.filters import check_filter, to_query

CONTACT = entities.get("CONTACT")


def query(raw: object) -> dict[str, object]:
    return to_query(CONTACT, check_filter(CONTACT, raw))


def test_conditions_all_hold_and_any_groups_are_alternatives() -> None:
    raw = {
        "conditions": [
            {"field": "tags", "hasAny": ["trial"]},
            {"field": "score", "lt": 20},
            {"field": "email", "eq": " Ann@Example.COM "},
        ],
        "any": [
            {"conditions": [{"field": "country", "in": ["DE", "AT"]}]},
            {"conditions": [{"field": "city", "prefix": "ber"}]},
        ],
    }
    assert query(raw) == {
        "$and": [
            {"data.tags": {"$in": ["trial"]}},
            {"data.score": {"$lt": 20}},
            {"data.email": "ann@example.com"},  # the unique key, as it is stored
            {
                "$or": [
                    {"data.country": {"$in": ["DE", "AT"]}},
                    {"data.city": {"$regex": "^ber", "$options": "i"}},
                ]
            },
        ]
    }


def test_every_operator_family() -> None:
    entity_id = str(ObjectId())
    assert query({"conditions": [{"field": "id", "notIn": [entity_id]}]}) == {
        "_id": {"$nin": [ObjectId(entity_id)]}
    }
    assert query({"conditions": [{"field": "created_at", "gte": "2026-01-01T00:00:00"}]}) == {
        "created_at": {"$gte": datetime(2026, 1, 1, tzinfo=UTC)}
    }
    assert query({"conditions": [{"field": "phone", "exists": False}]}) == {"data.phone": None}
    assert query({"conditions": [{"field": "phone", "exists": True}]}) == {
        "data.phone": {"$ne": None}
    }
    assert query({"conditions": [{"field": "tags", "hasAll": ["a", "b"]}]}) == {
        "data.tags": {"$all": ["a", "b"]}
    }
    assert query({"conditions": [{"field": "tags", "hasNone": ["x"]}]}) == {
        "data.tags": {"$nin": ["x"]}
    }
    assert query({"conditions": [{"field": "city", "prefix": "a.b*"}]}) == {
        "data.city": {"$regex": "^a\\.b\\*", "$options": "i"}
    }
    assert query({"all": True}) == {}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({}, "filter: the filter has no conditions; to target every entity"),
        ({"conditions": []}, "say so with `all: true`"),
        ({"all": True, "conditions": [{"field": "city", "eq": "x"}]}, "takes no conditions"),
        ({"conditions": [{"field": "colour", "eq": "x"}]}, "filter.conditions[0].field: unknown"),
        ({"conditions": [{"field": "city"}]}, "give exactly one operator, not 0"),
        ({"conditions": [{"field": "city", "eq": "a", "ne": "b"}]}, "exactly one operator"),
        ({"conditions": [{"field": "city", "lt": "m"}]}, "`lt` does not apply to 'city'"),
        ({"conditions": [{"field": "tags", "eq": "vip"}]}, "a text list field"),
        ({"conditions": [{"field": "score", "gt": "high"}]}, "conditions[0].gt: 'high' is not"),
        ({"conditions": [{"field": "score", "eq": True}]}, "True is not a number"),
        ({"conditions": [{"field": "lifecycle_stage", "eq": "boss"}]}, "lifecycle_stage"),
        ({"conditions": [{"field": "city", "eq": None}]}, "`exists: false` finds missing"),
        ({"conditions": [{"field": "id", "eq": "nope"}]}, "'nope' is not an entity id"),
        ({"conditions": [{"field": "created_at", "lt": "yesterday"}]}, "not an ISO 8601"),
        ({"conditions": [{"field": "tags", "hasAny": []}]}, "hasAny: must be a list of strings"),
        ({"conditions": [{"field": "city", "in": []}]}, "must be a non-empty list"),
        ({"conditions": [{"field": "city", "eq": "a\u0000b"}]}, "conditions[0].eq"),
        ({"any": [{}]}, "filter.any[0]: the filter has no conditions"),
        ({"conditions": [{"field": "city", "like": "x"}]}, "like: unknown operator"),
        ({"where": {"$gt": 1}}, "unknown keys ['where']"),
    ],
)
def test_bad_filters_are_refused_naming_the_path(raw: object, says: str) -> None:
    with pytest.raises(BadUserInput) as refused:
        check_filter(CONTACT, raw)
    assert says in str(refused.value)


def test_nesting_is_bounded() -> None:
    raw: dict[str, object] = {"conditions": [{"field": "city", "eq": "x"}]}
    for _ in range(6):
        raw = {"any": [raw]}
    with pytest.raises(BadUserInput, match="nest at most"):
        check_filter(CONTACT, raw)
