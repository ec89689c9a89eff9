"""Specification of the emulator's Search Records engine, one documented behaviour per test."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.query.search import parse_criteria, search_records
from zoho_emulator.model.org import Org, OrgData, User

SEARCH = "https://www.zoho.com/crm/developer/docs/api/v8/search-records.html"
DELUGE = "https://www.zoho.com/deluge/help/crm/search-records.html"
ANA, LI = "5725767000000411001", "5725767000000448028"


def _add(data: OrgData, module: str, **fields: object) -> str:
    record_id = data.ids.next()
    data.table(module).rows[record_id] = {"id": record_id, **fields}
    return record_id


@pytest.fixture
def org() -> SimpleNamespace:
    data = OrgData(Org("1", "2", "Zylker", "zylker.com", "admin@zylker.com"))
    data.users[ANA] = User(ANA, "Ana", "Ruiz", "ana@zylker.com", profile="Administrator")
    data.users[LI] = User(LI, "Li", "Wei", "li@zylker.com")
    ns = SimpleNamespace(data=data)
    ns.northwind = _add(data, "Accounts", Account_Name="Northwind Traders", Employees=120, Owner=ANA)
    ns.burns_co = _add(data, "Accounts", Account_Name="Smith, Burns (Holdings)", Employees=8, Owner=LI)
    ns.osaka = _add(data, "Accounts", Account_Name="Ōsaka Kōgyō 株式会社", Employees=40, Owner=ANA)
    ns.backslash = _add(data, "Accounts", Account_Name="Co\\", Employees=1, Owner=ANA)
    utc = UTC
    ns.obrien = _add(data, "Contacts", First_Name="Ana", Last_Name="O'Brien", Email="obrien@example.org",
                     Secondary_Email="Ana.OBrien@Work.example", Phone="+1 (555) 010-0001",
                     Mobile="5550100001", Account_Name=ns.northwind, Owner=ANA, Email_Opt_Out=False,
                     Created_Time=datetime(2025, 3, 1, 9, 0, tzinfo=utc))
    ns.muller = _add(data, "Contacts", First_Name="Zoë", Last_Name="Müller", Email="zoe@example.de",
                     Mobile="+49 30 1234", Account_Name=ns.osaka, Owner=LI, Email_Opt_Out=True,
                     Created_Time=datetime(2025, 3, 5, 17, 30, tzinfo=utc))
    ns.boyle = _add(data, "Contacts", First_Name="Patricia", Last_Name="Boyle", Title="Head of Sales",
                    Description="Met at the Patricia(Boyle) booth", Lead_Source="Trade Show",
                    Account_Name=ns.burns_co, Owner=ANA, Tag=["VIP", "Partner"],
                    Created_Time=datetime(2025, 3, 9, 8, 0, tzinfo=utc))
    ns.burns = _add(data, "Leads", Last_Name="Burns,B", Company="ABC Inc", Email="burns@abc.example",
                    Converted__s=False, Owner=ANA)
    ns.kowalski = _add(data, "Leads", Last_Name="Kowalski", Company="ABC", Email="k@abc.example",
                       Converted__s=True, Owner=LI)
    ns.nguyen = _add(data, "Leads", Last_Name="Nguyễn", Company="Zylker", Phone="98883434559",
                     Converted__s=False, Owner=LI)
    return ns


def ids(records: list[dict]) -> list[str]:
    return [r["id"] for r in records]


def error_of(call, *args, **kwargs) -> ZohoError:
    with pytest.raises(ZohoError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_equals_behaves_like_contains(org):
    """(Company:equals:ABC) also finds "ABC Inc" — equals means contains. Source: SEARCH."""
    found = search_records(org.data, "Leads", criteria="(Company:equals:ABC)", converted="both")
    assert ids(found) == [org.burns, org.kowalski]


def test_equals_is_contains_inside_multiple_conditions_too(org):
    """((Company:equals:ABC)and(First_Name:starts_with:M)) style: contains still applies. Source: SEARCH."""
    found = search_records(org.data, "Leads", criteria="((Company:equals:ABC)and(Last_Name:starts_with:bu))")
    assert ids(found) == [org.burns]


def test_converted_leads_are_hidden_by_default(org):
    """converted defaults to false: only non-converted records. Source: SEARCH (Other optional parameters)."""
    found = search_records(org.data, "Leads", criteria="(Company:equals:ABC)")
    assert ids(found) == [org.burns]


def test_converted_true_returns_only_converted_and_both_returns_all(org):
    """converted=true -> only converted records; both -> all records. Source: SEARCH."""
    only = search_records(org.data, "Leads", criteria="(Company:equals:ABC)", converted="true")
    both = search_records(org.data, "Leads", criteria=f"(Owner:in:{ANA},{LI})", converted="both")
    assert ids(only) == [org.kowalski]
    assert ids(both) == [org.burns, org.kowalski, org.nguyen]


def test_converted_rejects_unknown_values(org):
    """converted takes only true, false or both. Source: SEARCH (code INVALID_DATA is our guess)."""
    assert error_of(search_records, org.data, "Leads", word="abc", converted="yes").code == "INVALID_DATA"


def test_escaped_comma_is_part_of_the_value(org):
    """Burns,B is sent as Burns\\,B (then URL-encoded). Source: SEARCH (escaping example)."""
    found = search_records(org.data, "Leads", criteria="((Last_Name:equals:Burns\\,B)and(Company:starts_with:ABC))")
    assert ids(found) == [org.burns]


def test_unescaped_comma_in_a_single_value_is_rejected(org):
    """A comma must be escaped in a criteria value; unescaped it splits values. Source: SEARCH."""
    err = error_of(search_records, org.data, "Leads", criteria="(Last_Name:equals:Burns,B)")
    assert err.code == "INVALID_QUERY"
    assert err.details["api_name"] == "Last_Name"


def test_escaped_parentheses_are_part_of_the_value(org):
    """Patricia(Boyle) is searched as Patricia\\(Boyle\\). Source: SEARCH and Kaizen #82."""
    found = search_records(org.data, "Accounts", criteria="(Account_Name:equals:Smith\\, Burns \\(Holdings\\))")
    assert ids(found) == [org.burns_co]


def test_unescaped_parenthesis_in_a_value_is_rejected(org):
    """Parentheses inside a value must be escaped. Source: SEARCH."""
    err = error_of(search_records, org.data, "Accounts", criteria="(Account_Name:equals:Burns (Holdings))")
    assert err.code == "INVALID_QUERY"


def test_trailing_backslash_is_doubled(org):
    """(Last_Name:equals:K\\) is sent as K\\\\ — a trailing backslash is doubled. Source: SEARCH."""
    found = search_records(org.data, "Accounts", criteria="(Account_Name:equals:Co\\\\)")
    assert ids(found) == [org.backslash]


def test_single_condition_may_omit_parentheses(org):
    """The docs' sample sends criteria=Campaign_Name:equals:CRM without parentheses. Source: SEARCH."""
    assert ids(search_records(org.data, "Contacts", criteria="Last_Name:equals:Boyle")) == [org.boyle]


def test_and_or_nest_with_parentheses(org):
    """(((A)and(B))or(C)) as in the v2-diff example. Source: SEARCH (criteria format)."""
    criteria = "(((Last_Name:equals:Boyle) and (Lead_Source:equals:Trade Show)) or (Last_Name:equals:Müller))"
    assert ids(search_records(org.data, "Contacts", criteria=criteria)) == [org.muller, org.boyle]


def test_and_binds_every_condition(org):
    """((A)and(B)) needs both conditions. Source: SEARCH."""
    criteria = "((Last_Name:equals:Boyle)and(Lead_Source:equals:Advertisement))"
    assert search_records(org.data, "Contacts", criteria=criteria) == []


def test_mixing_and_or_at_one_level_is_rejected(org):
    """The docs always nest mixed and/or; at one level it is ambiguous (rejection guessed). Source: SEARCH."""
    criteria = "((Last_Name:equals:Boyle)and(Title:equals:Head)or(Last_Name:equals:Müller))"
    assert error_of(search_records, org.data, "Contacts", criteria=criteria).code == "INVALID_QUERY"


def test_ten_conditions_allowed_eleven_rejected(org):
    """"You can search for a maximum of 10 criteria". Source: SEARCH (code LIMIT_EXCEEDED guessed)."""
    def chain(n: int) -> str:
        return "(" + "or".join("(Last_Name:equals:Boyle)" for _ in range(n)) + ")"
    assert ids(search_records(org.data, "Contacts", criteria=chain(10))) == [org.boyle]
    assert error_of(search_records, org.data, "Contacts", criteria=chain(11)).code == "LIMIT_EXCEEDED"


def test_in_matches_any_listed_value(org):
    """(Full_Name:in:Patricia,Boyle,Kate) — records matching any value. Source: SEARCH."""
    found = search_records(org.data, "Contacts", criteria="(Last_Name:in:Boyle,Müller,Nobody)")
    assert ids(found) == [org.muller, org.boyle]


def test_in_supports_up_to_100_values(org):
    """"The in operator supports upto 100 values". Source: SEARCH (code LIMIT_EXCEEDED guessed)."""
    many = ",".join(["Boyle"] + [f"x{i}" for i in range(99)])
    assert ids(search_records(org.data, "Contacts", criteria=f"(Last_Name:in:{many})")) == [org.boyle]
    err = error_of(search_records, org.data, "Contacts", criteria=f"(Last_Name:in:{many},x100)")
    assert err.code == "LIMIT_EXCEEDED"


def test_full_name_is_first_and_last_name(org):
    """"The full_name field contains the concatenated values of First Name and Last Name". Source: SEARCH."""
    found = search_records(org.data, "Contacts", criteria="(Full_Name:equals:Patricia Boyle)")
    assert ids(found) == [org.boyle]


def test_unknown_field_is_invalid_query_naming_the_field(org):
    """Invalid field API names give INVALID_QUERY; details say which. Source: SEARCH (Possible Errors)."""
    err = error_of(search_records, org.data, "Contacts", criteria="(Nickname:equals:Bo)")
    assert (err.code, err.details["api_name"], err.message) == ("INVALID_QUERY", "Nickname", "invalid query formed")


def test_unknown_operator_is_invalid_query_naming_the_operator(org):
    """Invalid operators give INVALID_QUERY. Source: SEARCH (Possible Errors)."""
    err = error_of(search_records, org.data, "Contacts", criteria="(Last_Name:contains:Bo)")
    assert (err.code, err.details["operator"]) == ("INVALID_QUERY", "contains")


@pytest.mark.parametrize("criteria, field, operator", [
    ("(Description:in:booth)", "Description", "in"),  # textarea: equals, not_equal, starts_with
    ("(Lead_Source:starts_with:Trade)", "Lead_Source", "starts_with"),  # picklist: equals, not_equal, in
    ("(Email_Opt_Out:greater_than:true)", "Email_Opt_Out", "greater_than"),  # boolean: equals, not_equal
    ("(Account_Name:starts_with:1)", "Account_Name", "starts_with"),  # lookup: equals, not_equal, in
    ("(Created_Time:starts_with:2025)", "Created_Time", "starts_with"),  # datetime: comparisons
])
def test_operator_must_suit_the_field_type(org, criteria, field, operator):
    """Each field type allows only its listed operators. Source: SEARCH (Note: field types and operators)."""
    err = error_of(search_records, org.data, "Contacts", criteria=criteria)
    assert (err.code, err.details["api_name"], err.details["operator"]) == ("INVALID_QUERY", field, operator)


def test_textarea_supports_starts_with(org):
    """textarea: equals, not_equal, starts_with. Source: SEARCH (Note)."""
    assert ids(search_records(org.data, "Contacts", criteria="(Description:starts_with:met)")) == [org.boyle]


def test_datetime_between_takes_iso_values_with_offsets(org):
    """Created_Time:between:<iso>,<iso> with offsets, compared as instants. Source: SEARCH (sample request)."""
    criteria = "(Created_Time:between:2025-03-01T04:00:00-05:00,2025-03-05T12:30:00-05:00)"
    assert ids(search_records(org.data, "Contacts", criteria=criteria)) == [org.obrien, org.muller]


def test_datetime_without_offset_is_rejected(org):
    """DateTime values are ISO 8601 with the offset. Source: SEARCH (sample request note)."""
    err = error_of(search_records, org.data, "Contacts", criteria="(Created_Time:greater_than:2025-03-01T09:00:00)")
    assert (err.code, err.details["api_name"]) == ("INVALID_QUERY", "Created_Time")


def test_datetime_comparison_respects_instants(org):
    """greater_equal on DateTime compares instants across offsets. Source: SEARCH (Note: DateTime operators)."""
    found = search_records(org.data, "Contacts", criteria="(Created_Time:greater_equal:2025-03-05T18:30:00+01:00)")
    assert ids(found) == [org.muller, org.boyle]


def test_number_comparisons_and_between(org):
    """Integer: the four comparisons and between (inclusive). Source: SEARCH (Note)."""
    assert ids(search_records(org.data, "Accounts", criteria="(Employees:greater_than:100)")) == [org.northwind]
    assert ids(search_records(org.data, "Accounts", criteria="(Employees:between:8,40)")) == [org.burns_co, org.osaka]


def test_number_value_must_be_a_number(org):
    """A value that does not match the field's data type is INVALID_QUERY. Source: SEARCH (Possible Errors)."""
    err = error_of(search_records, org.data, "Accounts", criteria="(Employees:greater_than:ten)")
    assert (err.code, err.details["expected_data_type"]) == ("INVALID_QUERY", "integer")


def test_between_needs_two_values(org):
    """between takes a range of two values. Source: SEARCH (sample: between:a,b)."""
    assert error_of(search_records, org.data, "Accounts", criteria="(Employees:between:8)").code == "INVALID_QUERY"


def test_boolean_equals_and_not_equal(org):
    """Boolean: equals, not_equal with true/false. Source: SEARCH (Note)."""
    assert ids(search_records(org.data, "Contacts", criteria="(Email_Opt_Out:equals:true)")) == [org.muller]
    assert ids(search_records(org.data, "Contacts", criteria="(Email_Opt_Out:not_equal:true)")) == [org.obrien]


def test_lookups_and_owner_compare_by_id(org):
    """Lookup(user/owner): equals, not_equal, in — by record/user id. Source: SEARCH (Note)."""
    assert ids(search_records(org.data, "Contacts", criteria=f"(Account_Name:equals:{org.northwind})")) == [org.obrien]
    assert ids(search_records(org.data, "Contacts", criteria=f"(Owner:equals:{LI})")) == [org.muller]
    assert ids(search_records(org.data, "Contacts", criteria=f"(Owner:not_equal:{LI})")) == [org.obrien, org.boyle]


def test_lookup_by_name_is_rejected(org):
    """A lookup value must be an id; a name is a type mismatch. Source: SEARCH (Possible Errors, INVALID_QUERY)."""
    err = error_of(search_records, org.data, "Contacts", criteria="(Account_Name:equals:Northwind)")
    assert (err.code, err.details["api_name"]) == ("INVALID_QUERY", "Account_Name")


def test_text_matching_is_case_insensitive_for_non_ascii(org):
    """starts_with on text; case-insensitivity is our reading of Zoho's index (guessed). Source: SEARCH."""
    assert ids(search_records(org.data, "Contacts", criteria="(Last_Name:starts_with:MÜ)")) == [org.muller]
    assert ids(search_records(org.data, "Accounts", criteria="(Account_Name:equals:株式会社)")) == [org.osaka]


def test_multiselect_equals_matches_an_element(org):
    """multiselectpicklist supports equals/not_equal/in/starts_with. Source: SEARCH (Note)."""
    assert ids(search_records(org.data, "Contacts", criteria="(Tag:equals:vip)")) == [org.boyle]


def test_empty_fields_never_match_even_not_equal(org):
    """"If a column contains null values, searchRecords DOES NOT report them". Source: DELUGE."""
    assert ids(search_records(org.data, "Contacts", criteria="(Title:not_equal:CEO)")) == [org.boyle]


def test_email_searches_every_email_field_exactly(org):
    """email= searches all email fields of the module (exact, case-insensitive). Source: SEARCH (email)."""
    assert ids(search_records(org.data, "Contacts", email="ana.obrien@work.EXAMPLE")) == [org.obrien]
    assert search_records(org.data, "Contacts", email="example.org") == []


def test_phone_searches_every_phone_field_without_normalising(org):
    """phone= searches all phone fields; the stored format must match. Source: SEARCH (phone), §4 of our notes."""
    assert ids(search_records(org.data, "Contacts", phone="5550100001")) == [org.obrien]
    assert ids(search_records(org.data, "Contacts", phone="+1 (555) 010-0001")) == [org.obrien]
    assert search_records(org.data, "Contacts", phone="+15550100001") == []


def test_word_searches_text_fields_case_insensitively(org):
    """word= performs a global word search. Source: SEARCH (word sample: abc matches Last_Name and Company)."""
    assert ids(search_records(org.data, "Contacts", word="müller")) == [org.muller]
    assert ids(search_records(org.data, "Contacts", word="sales")) == [org.boyle]
    assert search_records(org.data, "Contacts", word="sal") == []


@pytest.mark.parametrize("word", ["a", " b ", "abc*", "o(b", "50%"])
def test_word_needs_two_characters_and_no_special_characters(org, word):
    """INVALID_DATA: special characters or fewer than two characters. Source: SEARCH (Possible Errors)."""
    assert error_of(search_records, org.data, "Contacts", word=word).code == "INVALID_DATA"


def test_no_search_parameter_is_expected_param_missing(org):
    """EXPECTED_PARAM_MISSING: specify criteria/email/phone/word. Source: SEARCH (Possible Errors)."""
    err = error_of(search_records, org.data, "Contacts")
    assert (err.code, err.message) == ("EXPECTED_PARAM_MISSING", "mandatory param missing")


def test_criteria_wins_over_email_phone_and_word(org):
    """Preference order criteria, email, phone, word; only one works. Source: SEARCH (Note)."""
    found = search_records(org.data, "Contacts", criteria="(Last_Name:equals:Boyle)", email="zoe@example.de",
                           phone="5550100001", word="müller")
    assert ids(found) == [org.boyle]


def test_email_wins_over_phone_and_phone_over_word(org):
    """Preference order criteria, email, phone, word. Source: SEARCH (Note)."""
    assert ids(search_records(org.data, "Contacts", email="zoe@example.de", phone="5550100001")) == [org.muller]
    assert ids(search_records(org.data, "Contacts", phone="5550100001", word="müller")) == [org.obrien]


def test_results_come_in_id_order(org):
    """Results are returned in record (id) order. Source: SEARCH (sample info: sort_by id)."""
    found = search_records(org.data, "Contacts", criteria=f"(Owner:in:{LI},{ANA})")
    assert ids(found) == sorted(ids(found)) == [org.obrien, org.muller, org.boyle]


def test_unknown_module_is_invalid_module(org):
    """Only the module API names are searchable. Source: SEARCH (Possible module names)."""
    assert error_of(search_records, org.data, "Widgets", word="abc").code == "INVALID_MODULE"


def test_index_follows_new_records(org):
    """A just-created record is searchable here (no index lag emulated). Source: SEARCH (Note on 204)."""
    later = _add(org.data, "Contacts", Last_Name="Boyle", Created_Time=datetime.now(UTC) - timedelta(days=1))
    assert ids(search_records(org.data, "Contacts", criteria="(Last_Name:equals:Boyle)")) == [org.boyle, later]


def _escape(value: str) -> str:
    """Client-side escaping: a backslash before each ( ) , and backslash. Source: SEARCH."""
    return "".join("\\" + ch if ch in "\\(),"  else ch for ch in value)


@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_escaping_round_trips_any_value(value):
    """Escaped ( ) , and backslashes come back as the literal value. Source: SEARCH (escaping rules)."""
    tree = parse_criteria(f"(Last_Name:equals:{_escape(value)})")
    assert tree.values == (value,)
