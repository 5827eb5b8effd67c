"""Field operations: checked against the schema; each row's change decided from what was read."""

from typing import Any

import pytest

from app.domain.entities import entities
from app.domain.errors import BadUserInput
from app.domain.operations import changes_for, check_operations

CONTACT = entities.get("CONTACT")


def test_operations_are_checked_and_stored_by_key() -> None:
    checked = check_operations(
        CONTACT,
        {
            "unset": ["phone"],
            "addToList": {"tags": ["vip", "vip", "eu"]},
            "removeFromList": None,
            "increment": {"score": 5},
        },
        {"city": "Berlin"},
    )
    assert checked == {
        "add_to_list": {"tags": ["vip", "eu"]},
        "increment": {"score": 5},
        "unset": {"phone": True},
    }


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"unset": ["email"]}, "unset.email: the unique key cannot be unset"),
        ({"unset": ["colour"]}, "unset.colour: unknown field"),
        ({"unset": []}, "non-empty list of field names"),
        ({"addToList": {"city": ["x"]}}, "`addToList` does not apply to a text field"),
        ({"addToList": {"tags": []}}, "addToList.tags: must be a non-empty list"),
        ({"increment": {"score": "5"}}, "increment.score: '5' is not a number"),
        ({"increment": {"tags": 1}}, "does not apply to a text list field"),
        ({"increment": {"city": 1}}, "does not apply to a text field"),
        ({"unset": ["city"]}, "already changed by `fields`"),
        ({"addToList": {"tags": ["a"]}, "removeFromList": {"tags": ["b"]}}, "one operation"),
    ],
)
def test_bad_operations_are_refused_naming_the_field(given: dict[str, object], says: str) -> None:
    with pytest.raises(BadUserInput) as refused:
        check_operations(CONTACT, given, {"city": "Berlin"})
    assert says in str(refused.value)


def test_changes_are_decided_from_the_current_values() -> None:
    stored: dict[str, dict[str, Any]] = {
        "unset": {"phone": True},
        "add_to_list": {"tags": ["vip"]},
        "increment": {"score": 5},
    }
    current = {"phone": "123", "tags": ["trial"], "score": 10, "city": "Berlin"}
    assert changes_for(stored, {"city": "Paris"}, current) == {
        "$set": {"city": "Paris"},
        "$inc": {"score": 5},  # added when written: keeps another writer's change since the read
        "$unset": {"phone": ""},
        "$addToSet": {"tags": {"$each": ["vip"]}},
    }
    looks_as_asked = {"tags": ["trial", "vip"], "city": "Paris"}
    assert changes_for({"add_to_list": {"tags": ["vip"]}}, {"city": "Paris"}, looks_as_asked) == {}
    assert changes_for({"unset": {"phone": True}}, {}, {}) == {}
    assert changes_for({"remove_from_list": {"tags": ["x", "trial"]}}, {}, current) == {
        "$pullAll": {"tags": ["trial"]}
    }
    assert changes_for({"increment": {"score": 2}}, {}, {}) == {"$inc": {"score": 2}}
    # Not a number to add to: the field is given the amount.
    assert changes_for({"increment": {"score": 2}}, {}, {"score": None}) == {"$set": {"score": 2}}
    assert changes_for({"increment": {"score": 2}}, {}, {"score": "x"}) == {"$set": {"score": 2}}
