"""Specification of the emulator's COQL engine, one documented behaviour per test."""
from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.query.coql import CoqlQuery, credits_for_limit, execute, parse
from zoho_emulator.model.org import Org, OrgData, User

QUERY = "https://www.zoho.com/crm/developer/docs/api/v8/Get-Records-through-COQL-Query.html"
LIMITS = "https://www.zoho.com/crm/developer/docs/api/v8/COQL-Limitations.html"
OVERVIEW = "https://www.zoho.com/crm/developer/docs/api/v8/COQL-Overview.html"
FAQ = "https://help.zoho.com/portal/en/community/topic/kaizen-171-faqs-on-coql-api"
KAIZEN_81 = "https://help.zoho.com/portal/en/community/topic/kaizen-81-coql-api-part-ii"
KAIZEN_183 = "https://help.zoho.com/portal/en/community/topic/kaizen-183-coql-apis-enhancements-in-zoho-crm-api-version-7"
CREDITS = "https://www.zoho.com/developer/docs/vertical-solutions/api/v4/COQL-Overview.html"
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
    ns.parent = _add(data, "Accounts", Account_Name="Zylker Group", Employees=5000, Owner=ANA)
    ns.northwind = _add(data, "Accounts", Account_Name="Northwind, (Intl)", Employees=120, Owner=ANA,
                        Parent_Account=ns.parent, Annual_Revenue=2_500_000.0)
    ns.osaka = _add(data, "Accounts", Account_Name="Ōsaka Kōgyō 株式会社", Employees=40, Owner=LI,
                    Annual_Revenue=500_000.0)
    ns.obrien = _add(data, "Contacts", First_Name="Ana", Last_Name="O'Brien", Email="obrien@example.org",
                     Account_Name=ns.northwind, Owner=ANA, Email_Opt_Out=False, Lead_Source="Trade Show",
                     Description="Met at the booth", Created_Time=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    ns.muller = _add(data, "Contacts", First_Name="Zoë", Last_Name="Müller", Email="zoe@example.de",
                     Account_Name=ns.osaka, Owner=LI, Email_Opt_Out=True, Tag=["VIP"],
                     Created_Time=datetime(2025, 3, 5, 17, 30, tzinfo=UTC))
    ns.boyle = _add(data, "Contacts", First_Name="Patricia", Last_Name="Boyle", Owner=ANA, Lead_Source="Partner",
                    Created_Time=datetime(2025, 3, 9, 8, 0, tzinfo=UTC))
    ns.deal = _add(data, "Deals", Deal_Name="Big Deal", Stage="Qualification", Amount=50_000.0, Owner=ANA,
                   Closing_Date=date(2025, 4, 30), Account_Name=ns.northwind, Contact_Name=ns.obrien)
    ns.small_deal = _add(data, "Deals", Deal_Name="Small Deal", Stage="Closed Won", Amount=1_000.0, Owner=LI,
                         Closing_Date=date(2025, 3, 15), Account_Name=ns.osaka, Contact_Name=ns.muller)
    ns.lead = _add(data, "Leads", Last_Name="Nguyễn", Company="Zylker", Owner=LI, Converted__s=False)
    ns.converted = _add(data, "Leads", Last_Name="Kowalski", Company="ABC", Owner=LI, Converted__s=True)
    ns.task_lead = _add(data, "Tasks", Subject="Call back", What_Id=ns.lead, **{"$se_module": "Leads"})
    ns.task_deal = _add(data, "Tasks", Subject="Send deck", What_Id=ns.deal, **{"$se_module": "Deals"})
    return ns


def run(org: SimpleNamespace, query: str):
    return execute(org.data, parse(query))


def column(org: SimpleNamespace, query: str, key: str) -> list:
    return [row[key] for row in run(org, query).rows]


def error_of(query: str) -> ZohoError:
    with pytest.raises(ZohoError) as caught:
        parse(query)
    return caught.value


def test_rows_carry_selected_fields_plus_id_in_id_order(org):
    """Each row has the selected API names and id; default order is id ascending. Source: QUERY, OVERVIEW."""
    result = run(org, "select Last_Name, First_Name from Contacts where Last_Name is not null")
    assert result.rows == [
        {"Last_Name": "O'Brien", "First_Name": "Ana", "id": org.obrien},
        {"Last_Name": "Müller", "First_Name": "Zoë", "id": org.muller},
        {"Last_Name": "Boyle", "First_Name": "Patricia", "id": org.boyle},
    ]
    assert (result.count, result.more_records) == (3, False)


def test_keywords_are_case_insensitive(org):
    """Keywords such as SELECT/select are case-insensitive. Source: OVERVIEW; Kaizen #81 uses AND."""
    names = column(org, "SELECT Last_Name FROM Contacts WHERE Last_Name IS NOT NULL ORDER BY Last_Name DESC LIMIT 2",
                   "Last_Name")
    assert names == ["O'Brien", "Müller"]


def test_parse_exposes_module_limit_and_offset():
    """LIMIT defaults to 200 and OFFSET to 0. Source: OVERVIEW (LIMIT and OFFSET)."""
    query = parse("select Last_Name from Leads where id is not null")
    assert isinstance(query, CoqlQuery)
    assert (query.module, query.limit, query.offset) == ("Leads", 200, 0)


@pytest.mark.parametrize("query", [
    "select Last_Name from Contacts",  # no where
    "select Last_Name where Last_Name is not null",  # no from
    "update Leads set Last_Name = 'Last' where id = 12356",  # not a select
    "select * from Contacts where id is not null",  # no *
    "select Last_Name from Contacts where (Last_Name is not null",  # unbalanced
    "select Last_Name from Contacts where Last_Name = 'open",  # unterminated string
    "select Last_Name from Contacts where Last_Name = null",  # null needs is null
    "select Last_Name from Contacts where id is not null;",  # stray character
])
def test_malformed_queries_are_syntax_errors(query):
    """SYNTAX_ERROR for missing where/from, non-select queries and bad syntax. Source: QUERY (Possible Errors)."""
    assert error_of(query).code == "SYNTAX_ERROR"


def test_unknown_module_is_invalid_module():
    """FROM takes a module API name. Source: OVERVIEW (FROM); code per our notes §10."""
    assert error_of("select Name from Widgets where id is not null").code == "INVALID_MODULE"


def test_unknown_column_is_invalid_query():
    """"select Last_Name, Testing from Leads …" -> INVALID_QUERY. Source: QUERY (Possible Errors)."""
    err = error_of("select Last_Name, Testing from Leads where Last_Name is not null")
    assert (err.code, err.details["column_name"]) == ("INVALID_QUERY", "Testing")


def test_more_than_two_criteria_must_be_grouped_in_pairs(org):
    """A and B and C is an error; ((A and B) and C) and A and (B and C) work. Source: FAQ #2, QUERY."""
    err = error_of("select id from Contacts where id is not null and Owner is not null and Email is not null")
    assert err.code == "SYNTAX_ERROR" and "pairs" in err.message
    assert error_of("select id from Contacts where (id is not null or Owner is not null or Email is not null)"
                    ).code == "SYNTAX_ERROR"
    paired = "select id from Contacts where ((id is not null and Owner is not null) and Email is not null)"
    right = "select id from Contacts where id is not null and (Owner is not null and Email is not null)"
    assert column(org, paired, "id") == column(org, right, "id") == [org.obrien, org.muller]


def test_or_combines_criteria(org):
    """Criteria combine with and/or. Source: OVERVIEW (WHERE)."""
    names = column(org, f"select Last_Name from Contacts where Last_Name = 'Boyle' or Owner = '{LI}'", "Last_Name")
    assert names == ["Müller", "Boyle"]


def test_single_quote_is_escaped_by_doubling(org):
    """'1'' 2' escapes a quote inside a single-quoted value. Source: FAQ #3."""
    assert column(org, "select Last_Name from Contacts where Last_Name = 'O''Brien'", "id") == [org.obrien]


def test_double_quoted_values_work(org):
    """The docs write like "%tech" with double quotes. Source: QUERY (Text, Picklist)."""
    assert column(org, 'select Last_Name from Contacts where Last_Name = "O\'Brien"', "id") == [org.obrien]


def test_reserved_words_must_be_quoted(org):
    """"select External from Contacts" is a SYNTAX error; quote it. Source: FAQ #1."""
    assert error_of("select External from Contacts where id is not null").code == "SYNTAX_ERROR"
    assert column(org, "select 'Last_Name' from Contacts where 'Last_Name' = 'Boyle'", "Last_Name") == ["Boyle"]


def test_text_equality_ignores_case(org):
    """= on text; case-insensitivity is our reading of Zoho (guessed, docs silent). Source: QUERY."""
    assert column(org, "select Last_Name from Contacts where Last_Name = 'müller'", "id") == [org.muller]


def test_lookup_columns_return_name_and_id(org):
    """From V7 lookups and user lookups in SELECT carry the display name; users show last_name. Source: QUERY."""
    row = run(org, f"select Account_Name, Owner from Contacts where id = '{org.obrien}'").rows[0]
    assert row == {"Account_Name": {"name": "Northwind, (Intl)", "id": org.northwind},
                   "Owner": {"name": "Ruiz", "id": ANA}, "id": org.obrien}


def test_dot_path_joins_a_lookup(org):
    """Account_Name.Account_Name in SELECT and WHERE joins through the lookup. Source: QUERY (Lookup)."""
    result = run(org, "select Last_Name, Account_Name.Account_Name from Contacts "
                      "where Account_Name.Account_Name = 'Ōsaka Kōgyō 株式会社'")
    assert result.rows == [
        {"Last_Name": "Müller", "Account_Name.Account_Name": "Ōsaka Kōgyō 株式会社", "id": org.muller}]


def test_two_relations_are_allowed(org):
    """Account_Name.Parent_Account.Account_Name — two joins. Source: QUERY (two relations)."""
    names = column(org, "select Account_Name.Parent_Account.Account_Name from Contacts "
                        "where Account_Name.Parent_Account.Account_Name is not null",
                   "Account_Name.Parent_Account.Account_Name")
    assert names == ["Zylker Group"]


def test_contact_lookup_shows_the_full_name_through_two_relations(org):
    """Lookup display name is the target's name (Full_Name = First + Last); two joins allowed. Source: QUERY."""
    result = run(org, f"select Contact_Name, Contact_Name.Account_Name.Account_Name from Deals where id = '{org.deal}'")
    assert result.rows == [{"Contact_Name": {"name": "Ana O'Brien", "id": org.obrien},
                            "Contact_Name.Account_Name.Account_Name": "Northwind, (Intl)", "id": org.deal}]


def test_three_relations_exceed_the_limit():
    """A maximum of two relations (joins); more is LIMIT_EXCEEDED. Source: LIMITS, QUERY (Possible Errors)."""
    err = error_of("select Contact_Name.Account_Name.Parent_Account.Account_Name from Deals where id is not null")
    assert err.code == "LIMIT_EXCEEDED"


def test_what_id_is_queried_per_module(org):
    """'What_Id->Leads.Last_Name' reads the lead behind What_Id; other modules give null. Source: QUERY, KAIZEN_81."""
    result = run(org, "select 'What_Id->Leads.Last_Name', What_Id from Tasks where id is not null")
    assert result.rows == [
        {"What_Id->Leads.Last_Name": "Nguyễn", "What_Id": {"id": org.lead}, "id": org.task_lead},
        {"What_Id->Leads.Last_Name": None, "What_Id": {"id": org.deal}, "id": org.task_deal},
    ]
    where = f"select Subject from Tasks where 'What_Id->Leads.id' in ('{org.lead}', '1')"
    assert column(org, where, "Subject") == ["Call back"]


def test_owner_is_compared_by_quoted_id(org):
    """Owner = '554023000000235011' compares the user id. Source: QUERY (User/Owner Lookup)."""
    assert column(org, f"select Last_Name from Contacts where Owner = '{LI}'", "id") == [org.muller]


def test_lookup_compared_with_a_name_is_invalid(org):
    """Lookups compare ids; a name does not match the data type. Source: QUERY (Possible Errors, data type)."""
    assert error_of("select Last_Name from Contacts where Account_Name = 'Zylker'").code == "INVALID_QUERY"


@pytest.mark.parametrize("pattern, expected", [("'Bo%'", ["Boyle"]), ("'%ller'", ["Müller"]),
                                               ("'%BRI%'", ["O'Brien"])])
def test_like_supports_starts_ends_and_contains(org, pattern, expected):
    """like 'x%', '%x', '%x%'. Source: QUERY (Text, Picklist note)."""
    assert column(org, f"select Last_Name from Contacts where Last_Name like {pattern}", "Last_Name") == expected


def test_not_like_only_with_percent_on_both_ends(org):
    """not like works only as '%x%'. Source: QUERY (Text, Picklist note)."""
    assert column(org, "select Last_Name from Contacts where Last_Name not like '%o%'", "Last_Name") == ["Müller"]
    assert error_of("select Last_Name from Contacts where Last_Name not like 'B%'").code == "INVALID_QUERY"


def test_text_rejects_ordering_comparators():
    """"Last_Name >= 'adfkahfd'" is an invalid operator. Source: QUERY (Possible Errors)."""
    err = error_of("select Last_Name from Leads where Last_Name is not null and Last_Name >= 'adfkahfd'")
    assert (err.code, err.details["operator"]) == ("INVALID_QUERY", ">=")


def test_number_needs_a_number_value():
    """"No_of_Employees = 'adfkahfd'" has the wrong data type. Source: QUERY (Possible Errors)."""
    assert error_of("select Account_Name from Accounts where Employees = 'adfkahfd'").code == "INVALID_QUERY"


def test_numbers_compare_and_between(org):
    """Number: =, !=, >, >=, <, <=, between, not between. Source: QUERY (Date, DateTime, Number)."""
    assert column(org, "select Account_Name from Accounts where Employees > 100", "id") == [org.parent, org.northwind]
    assert column(org, "select Account_Name from Accounts where Employees not between 100 and 200", "id") == [
        org.parent, org.osaka]


def test_datetime_and_date_between_with_offsets(org):
    """DateTime values quoted ISO with offset, any time zone; dates 'yyyy-MM-dd'. Source: QUERY."""
    query = ("select Last_Name from Contacts where Created_Time between "
             "'2025-03-01T04:00:00-05:00' and '2025-03-05T12:30:00-05:00'")
    assert column(org, query, "id") == [org.obrien, org.muller]
    assert column(org, "select Deal_Name from Deals where Closing_Date < '2025-04-01'", "id") == [org.small_deal]


def test_datetime_values_come_back_as_datetimes(org):
    """Date/DateTime columns are returned in their formats (the HTTP layer renders). Source: QUERY."""
    row = run(org, f"select Created_Time from Contacts where id = '{org.obrien}'").rows[0]
    assert row["Created_Time"] == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_datetime_without_offset_is_invalid():
    """Datetime literals need the offset, e.g. '2025-03-01T00:00:00+00:00'. Source: QUERY (DateTime sample)."""
    assert error_of("select id from Contacts where Created_Time > '2025-03-01T00:00:00'").code == "INVALID_QUERY"


def test_boolean_supports_only_equals(org):
    """Boolean: = with true/false. Source: QUERY (Boolean), KAIZEN_81."""
    assert column(org, "select Last_Name from Contacts where Email_Opt_Out = 'true'", "id") == [org.muller]
    assert column(org, "select Last_Name from Contacts where Email_Opt_Out = false", "id") == [org.obrien]
    assert error_of("select Last_Name from Contacts where Email_Opt_Out != true").code == "INVALID_QUERY"


def test_in_and_not_in(org):
    """in / not in on text. Source: QUERY (Text, Picklist)."""
    assert column(org, "select Last_Name from Contacts where Last_Name in ('Boyle', 'Nobody')", "id") == [org.boyle]
    assert column(org, "select Last_Name from Contacts where Lead_Source not in ('Partner')", "id") == [org.obrien]


def test_in_takes_up_to_100_values():
    """in/not in take up to 100 values (50 before v7). Source: LIMITS, KAIZEN_183."""
    values = ", ".join(f"'v{i}'" for i in range(100))
    parse(f"select Last_Name from Contacts where Last_Name in ({values})")
    assert error_of(f"select Last_Name from Contacts where Last_Name in ({values}, 'x')").code == "LIMIT_EXCEEDED"


def test_unquoted_picklist_value_is_accepted(org):
    """The docs' samples write Lead_Source = Advertisement unquoted. Source: QUERY (Text, Picklist sample)."""
    assert column(org, "select Last_Name from Contacts where Lead_Source = Partner", "id") == [org.boyle]


def test_multi_line_fields_cannot_be_criteria():
    """"You cannot use multi-line fields such as Description in criteria". Source: LIMITS."""
    assert error_of("select Last_Name from Contacts where Description = 'x'").code == "INVALID_QUERY"


def test_participants_are_not_supported():
    """The Participants field of Events is not supported in COQL. Source: LIMITS."""
    assert error_of("select Participants from Events where id is not null").code == "INVALID_QUERY"


def test_default_limit_is_200_with_more_records(org):
    """LIMIT defaults to 200; info.more_records tells of the rest. Source: OVERVIEW, QUERY (response)."""
    for i in range(250):
        _add(org.data, "Leads", Last_Name=f"Bulk {i}")
    result = run(org, "select Last_Name from Leads where id is not null")
    assert (result.count, result.more_records) == (200, True)
    tail = run(org, "select Last_Name from Leads where id is not null limit 200 offset 200")
    assert (tail.count, tail.more_records) == (52, False)


def test_limit_max_2000_per_call():
    """Each call can retrieve a maximum of 2,000 records. Source: LIMITS, OVERVIEW."""
    assert parse("select id from Leads where id is not null limit 2000").limit == 2000
    assert error_of("select id from Leads where id is not null limit 2001").code == "LIMIT_EXCEEDED"


def test_limit_plus_offset_reach_100000():
    """Up to 1,00,000 records via LIMIT and OFFSET. Source: LIMITS (v7+)."""
    parse("select id from Leads where id is not null limit 2000 offset 98000")
    assert error_of("select id from Leads where id is not null limit 2000 offset 98001").code == "LIMIT_EXCEEDED"


def test_limit_offset_comma_form_equals_offset_keyword(org):
    """LIMIT offset, count is the same as LIMIT count OFFSET offset. Source: OVERVIEW; workflow-academy sample."""
    query = parse("select id from Contacts where id is not null limit 1, 2")
    assert (query.limit, query.offset) == (2, 1)
    assert column(org, "select id from Contacts where id is not null limit 1, 2", "id") == [org.muller, org.boyle]


def test_order_by_several_fields_and_directions(org):
    """ORDER BY fields asc/desc; nulls first ascending (guessed). Source: OVERVIEW (ORDER BY)."""
    names = column(org, "select Last_Name from Contacts where id is not null order by Lead_Source asc, Last_Name desc",
                   "Last_Name")
    assert names == ["Müller", "Boyle", "O'Brien"]


def test_order_by_caps_at_10_fields_and_rejects_duplicates():
    """Max 10 ORDER BY fields; "order by id,id" is DUPLICATE_DATA. Source: LIMITS."""
    eleven = ", ".join(["id", "Last_Name", "First_Name", "Email", "Phone", "Mobile", "Title", "Department",
                        "Lead_Source", "Created_Time", "Modified_Time"])
    assert error_of(f"select id from Contacts where id is not null order by {eleven}").code == "LIMIT_EXCEEDED"
    assert error_of("select id from Contacts where id is not null order by id,id").code == "DUPLICATE_DATA"


def test_duplicate_select_columns_are_duplicate_data():
    """Full_Name twice in the select list is DUPLICATE_DATA. Source: QUERY (Possible Errors)."""
    err = error_of("select Last_Name, Full_Name, Full_Name from Contacts where Lead_Source = Advertisement")
    assert (err.code, err.details["column_name"]) == ("DUPLICATE_DATA", "Full_Name")


def test_more_than_50_columns_exceed_the_limit():
    """Up to 50 field API names in SELECT (Kaizen #183 says 500; stricter kept). Source: OVERVIEW, LIMITS."""
    fields = ["Account_Name", "Phone", "Fax", "Website", "Account_Type", "Industry", "Employees",
              "Annual_Revenue", "Description", "Billing_Street", "Billing_City", "Billing_State", "Billing_Zip",
              "Billing_Country", "Owner", "Created_Time", "Modified_Time", "Last_Activity_Time"]
    columns = [f"Parent_Account.{f}" for f in fields] + [f"Parent_Account.Parent_Account.{f}" for f in fields]
    columns += fields[:14]
    assert len(columns) == 50
    parse(f"select {', '.join(columns)} from Accounts where id is not null")
    assert error_of(f"select {', '.join(columns)}, Tag from Accounts where id is not null").code == "LIMIT_EXCEEDED"


def test_more_than_25_criteria_exceed_the_limit():
    """A maximum of 25 criteria in the WHERE clause. Source: LIMITS, OVERVIEW (WHERE)."""
    def nested(n: int) -> str:
        clause = "id is not null"
        for _ in range(n - 1):
            clause = f"({clause} and id is not null)"
        return clause
    parse(f"select id from Leads where {nested(25)}")
    assert error_of(f"select id from Leads where {nested(26)}").code == "LIMIT_EXCEEDED"


def test_count_with_group_by(org):
    """COUNT(field) with GROUP BY; keys like "COUNT(Annual_Revenue)", no id. Source: QUERY (COUNT)."""
    result = run(org, "select COUNT(id), Owner from Contacts where id is not null group by Owner")
    assert result.rows == [{"COUNT(id)": 2, "Owner": {"name": "Ruiz", "id": ANA}},
                           {"COUNT(id)": 1, "Owner": {"name": "Wei", "id": LI}}]


def test_sum_min_max_avg(org):
    """SUM, MIN, MAX, AVG over number fields. Source: QUERY (Aggregate Function)."""
    row = run(org, "select SUM(Employees), MIN(Employees), MAX(Employees), AVG(Annual_Revenue) from Accounts "
                   "where Employees < 1000").rows
    assert row == [{"SUM(Employees)": 160, "MIN(Employees)": 40, "MAX(Employees)": 120,
                    "AVG(Annual_Revenue)": 1_500_000.0}]


def test_aggregate_names_are_case_sensitive():
    """"Note that aggregate functions are case-sensitive." Source: QUERY (Aggregate Function)."""
    assert error_of("select count(id) from Leads where id is not null").code == "SYNTAX_ERROR"


def test_aggregate_and_group_by_caps():
    """At most five aggregates and four GROUP BY fields. Source: LIMITS."""
    six = "COUNT(id), SUM(Employees), MIN(Employees), MAX(Employees), AVG(Employees), AVG(Annual_Revenue)"
    assert error_of(f"select {six} from Accounts where id is not null").code == "LIMIT_EXCEEDED"
    groups = "Account_Type, Industry, Owner, Website, Phone"
    assert error_of(f"select COUNT(id), {groups} from Accounts where id is not null group by {groups}"
                    ).code == "LIMIT_EXCEEDED"


def test_duplicate_aggregates_are_duplicate_data():
    """"select COUNT(De1), COUNT(De1) from Leads" -> DUPLICATE_DATA. Source: QUERY (Aggregate Function note)."""
    assert error_of("select COUNT(id), COUNT(id) from Leads where id is not null").code == "DUPLICATE_DATA"


def test_count_only_for_number_lookup_and_picklist():
    """COUNT works only for number, lookup and picklist fields. Source: QUERY (COUNT)."""
    assert error_of("select COUNT(Last_Name) from Leads where id is not null").code == "INVALID_QUERY"


def test_non_aggregate_column_must_be_grouped():
    """The docs pair plain columns with GROUP BY of the same fields (rejection guessed). Source: QUERY (SUM)."""
    assert error_of("select SUM(Employees), Industry from Accounts where id is not null").code == "INVALID_QUERY"


def test_alias_renames_the_output_key(org):
    """'Account_Name' AS 'Account id' renames the key; empty alias is INVALID_ALIAS. Source: QUERY (Alias)."""
    row = run(org, f"select 'Account_Name.Account_Name' as 'Account Name' from Contacts where id = '{org.obrien}'")
    assert row.rows == [{"Account Name": "Northwind, (Intl)", "id": org.obrien}]
    assert error_of("select Last_Name as '' from Contacts where id is not null").code == "INVALID_ALIAS"


def test_converted_leads_are_included(org):
    """COQL has no converted filter; converted leads come back (docs silent — unverified). Source: QUERY."""
    assert column(org, "select Last_Name from Leads where Company is not null", "id") == [org.lead, org.converted]


def test_key_pagination_by_id(org):
    """Past 100,000 paginate with where id > last order by id. Source: LIMITS (Pagination), OVERVIEW."""
    first = run(org, "select id from Contacts where id is not null order by id asc limit 2")
    rest = run(org, f"select id from Contacts where id > '{first.rows[-1]['id']}' order by id limit 2")
    assert ([r["id"] for r in first.rows], first.more_records) == ([org.obrien, org.muller], True)
    assert ([r["id"] for r in rest.rows], rest.more_records) == ([org.boyle], False)


def test_descending_id_order(org):
    """ORDER BY id desc reverses the default order. Source: OVERVIEW (ORDER BY)."""
    assert column(org, f"select id from Contacts where id < '{org.boyle}' order by id desc", "id") == [
        org.muller, org.obrien]


def test_equality_over_many_records_finds_every_match():
    """'=' over 100k records returns each match once. Source: QUERY."""
    data = OrgData(Org("1", "2", "Zylker", "zylker.com", "admin@zylker.com"))
    rows = data.table("Contacts").rows
    for i in range(100_000):
        record_id = data.ids.next()
        rows[record_id] = {"id": record_id, "Last_Name": f"Name{i % 1000}"}
    result = execute(data, parse("select Last_Name from Contacts where Last_Name = 'Name7' limit 2000"))
    assert result.count == 100


def test_key_pagination_visits_every_record_once():
    """id > 'last' order by id pages through more than the 100,000 OFFSET reach. Source: LIMITS (Pagination)."""
    data = OrgData(Org("1", "2", "Zylker", "zylker.com", "admin@zylker.com"))
    rows = data.table("Leads").rows
    for _ in range(110_000):
        record_id = data.ids.next()
        rows[record_id] = {"id": record_id, "Last_Name": "x"}
    last, seen, ids = "0", 0, set()
    while True:
        page = execute(data, parse(f"select Last_Name from Leads where id > '{last}' order by id limit 2000"))
        seen += page.count
        ids.update(r["id"] for r in page.rows)
        if not page.more_records:
            break
        last = page.rows[-1]["id"]
    assert seen == len(ids) == 110_000


@pytest.mark.parametrize("limit, credits", [(1, 1), (200, 1), (201, 2), (1000, 2), (1001, 3), (2000, 3)])
def test_credits_by_limit(limit, credits):
    """Credits by LIMIT: 1-200 -> 1, 201-1000 -> 2, 1001-2000 -> 3. Source: CREDITS."""
    assert credits_for_limit(limit) == credits


@pytest.mark.parametrize("limit", [0, 2001])
def test_credits_reject_limits_outside_the_range(limit):
    """LIMIT is 1..2000, so no credit band exists outside it. Source: CREDITS, LIMITS."""
    with pytest.raises(ValueError):
        credits_for_limit(limit)


@given(st.text(min_size=1))
def test_quoted_values_round_trip(value):
    """A value with doubled single quotes parses back to itself. Source: FAQ #3."""
    escaped = value.replace("'", "''")
    query = parse(f"select Last_Name from Contacts where Last_Name = '{escaped}'")
    assert query.where.values == (value,)
