"""A CSV's header resolved to the fields its columns fill (app.usecases.creation): a refusal
names what is wrong, but no more of a hostile header than a person reads, and costs time in
proportion to the header, whatever it repeats."""

import pytest

from app.domain.actions import actions
from app.domain.actions._base import DEFAULT_RULES
from app.domain.entities import entities
from app.domain.errors import BadUserInput
from app.domain.fields import CustomField, extended
from app.infra.files.csv_records import MAX_RECORD_BYTES
from app.usecases.creation import LISTED_NAMES, resolve_columns

INSERT, CONTACT = actions.get("INSERT"), entities.get("CONTACT")


def test_a_header_of_known_columns_fills_them_and_ignores_an_id() -> None:
    header = ["id", "email", "First Name"]
    columns = resolve_columns(INSERT, CONTACT, DEFAULT_RULES, header, {"First Name": "first_name"})
    assert columns == [None, "email", "first_name"]


def test_a_header_without_separators_or_with_others_finds_its_fields() -> None:
    """As other tools write them: "E-mail", "FirstName", "Last_Name ", "JOBTITLE"."""
    header = ["E-mail", "FirstName", "Last_Name ", "JOBTITLE", "life cycle stage"]
    columns = resolve_columns(INSERT, CONTACT, DEFAULT_RULES, header, None)
    assert columns == ["email", "first_name", "last_name", "job_title", "lifecycle_stage"]


@pytest.mark.parametrize(
    ("entity", "header", "fields"),
    [
        ("CONTACT", ["Email Address", "Phone Number", "Surname"], ["email", "phone", "last_name"]),
        ("LEAD", ["E-mail Address", "Lead Status", "lead_source"], ["email", "status", "source"]),
        (
            "COMPANY",
            ["Website URL", "Company Name", "Employees"],
            ["domain", "name", "employee_count"],
        ),
    ],
)
def test_a_header_as_other_tools_export_it_finds_its_fields(
    entity: str, header: list[str], fields: list[str]
) -> None:
    """Mailchimp's "Email Address", HubSpot's "Company Domain Name" or a website: the names
    other tools give a field fill it, read like the field's own name."""
    assert resolve_columns(INSERT, entities.get(entity), DEFAULT_RULES, header, None) == fields


def test_a_field_s_own_name_wins_over_another_s_alias() -> None:
    """An account's custom field named like a built-in field's alias is filled by it."""
    company = extended(entities.get("COMPANY"), (CustomField("website", "TEXT"),))
    header = ["domain", "Website"]
    assert resolve_columns(INSERT, company, DEFAULT_RULES, header, None) == ["domain", "website"]


def test_a_column_without_a_name_is_ignored() -> None:
    """A sheet's stray empty columns (cells once formatted past its last one) name nothing."""
    header = ["email", "", "first_name", " ", ""]
    columns = resolve_columns(INSERT, CONTACT, DEFAULT_RULES, header, None)
    assert columns == ["email", None, "first_name", None, None]


def test_unknown_columns_are_named_up_to_a_bound_with_how_many_more() -> None:
    header = ["email", *(f"col{n:05d}" for n in range(5000))]
    with pytest.raises(BadUserInput) as refused:
        resolve_columns(INSERT, CONTACT, DEFAULT_RULES, header, None)
    message = refused.value.message
    assert "'col00000'" in message and f"'col{LISTED_NAMES - 1:05d}'" in message
    assert f"'col{LISTED_NAMES:05d}'" not in message
    assert f"and {5000 - LISTED_NAMES:,} more" in message
    assert len(message) < 2000
    assert refused.value.extensions["columns"] == [f"col{n:05d}" for n in range(LISTED_NAMES)]
    assert refused.value.extensions["unknownColumns"] == 5000


def test_the_widest_header_repeating_one_field_is_refused_naming_it_once() -> None:
    """A 1 MiB header (the longest record read) of one field named again and again: about
    175,000 columns, told in one pass (counting each name's columns per name took seconds of
    the API's loop)."""
    header = ["email"] * (MAX_RECORD_BYTES // len("email,"))
    with pytest.raises(BadUserInput, match=r"fills these fields twice: \['email'\]\.$"):
        resolve_columns(INSERT, CONTACT, DEFAULT_RULES, header, None)


def test_a_header_written_for_people_finds_its_fields() -> None:
    """Headers as spreadsheets write them ("First Name", "EMAIL", "job-title") fill the field
    they name once case, spaces and hyphens are set aside; a `columnMap` still wins."""
    header = ["EMAIL", "First Name", "job-title", " Last  Name ", "Company"]
    columns = resolve_columns(INSERT, CONTACT, DEFAULT_RULES, header, {"Company": None})
    assert columns == ["email", "first_name", "job_title", "last_name", None]
