"""Zoho CRM module and field catalogue, as the emulator enforces it.

Field API names, data types and mandatory flags follow Zoho's v8 SDK field catalogue and the
insert-records docs (shared/zoho-api.md §7). Internally a record is a plain dict keyed by field API
name holding Python values: str, int, float, bool, ``datetime.date``, aware ``datetime.datetime``,
``list`` (multi-select, Participants) and, for ``lookup``/``ownerlookup`` fields, the referenced
record's id as a ``str``. The wire layer renders lookups as ``{"name", "id"}`` objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# data_type values as Zoho's field metadata reports them (shared/zoho-api.md §6)
TEXT, TEXTAREA, EMAIL, PHONE, WEBSITE = "text", "textarea", "email", "phone", "website"
PICKLIST, MULTISELECT = "picklist", "multiselectpicklist"
INTEGER, BIGINT, DOUBLE, CURRENCY, PERCENT = "integer", "bigint", "double", "currency", "percent"
BOOLEAN, DATE, DATETIME = "boolean", "date", "datetime"
LOOKUP, OWNERLOOKUP, MULTIMODULE_LOOKUP = "lookup", "ownerlookup", "multimodulelookup"
PARTICIPANTS = "participants"

JSON_TYPES = {
    TEXT: "string", TEXTAREA: "string", EMAIL: "string", PHONE: "string", WEBSITE: "string",
    PICKLIST: "string", MULTISELECT: "jsonarray", INTEGER: "integer", BIGINT: "string",
    DOUBLE: "double", CURRENCY: "double", PERCENT: "double", BOOLEAN: "boolean", DATE: "string",
    DATETIME: "string", LOOKUP: "jsonobject", OWNERLOOKUP: "jsonobject",
    MULTIMODULE_LOOKUP: "jsonobject", PARTICIPANTS: "jsonarray",
}

NUMERIC_TYPES = frozenset({INTEGER, BIGINT, DOUBLE, CURRENCY, PERCENT})
STRING_TYPES = frozenset({TEXT, TEXTAREA, EMAIL, PHONE, WEBSITE, PICKLIST})


@dataclass(frozen=True)
class FieldDef:
    api_name: str
    data_type: str
    label: str = ""
    mandatory: bool = False
    read_only: bool = False
    unique: bool = False  # "Do not allow duplicate values": insert/update answer DUPLICATE_DATA
    custom: bool = False
    length: int = 255
    lookup_module: str | None = None
    pick_list: tuple[str, ...] = ()

    @property
    def json_type(self) -> str:
        return JSON_TYPES[self.data_type]

    @property
    def display_label(self) -> str:
        return self.label or self.api_name.replace("_", " ")


@dataclass(frozen=True)
class ModuleDef:
    api_name: str
    singular_label: str
    plural_label: str
    module_id: str
    fields: tuple[FieldDef, ...]
    name_field: str  # the field rendered as a lookup's "name"
    upsert_supported: bool = True
    duplicate_check_field: str | None = None
    by_name: dict[str, FieldDef] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.api_name: f for f in self.fields})

    def field(self, api_name: str) -> FieldDef | None:
        return self.by_name.get(api_name)

    @property
    def email_fields(self) -> list[str]:
        return [f.api_name for f in self.fields if f.data_type == EMAIL]

    @property
    def phone_fields(self) -> list[str]:
        return [f.api_name for f in self.fields if f.data_type == PHONE]


def _f(api_name: str, data_type: str, **kw) -> FieldDef:
    return FieldDef(api_name, data_type, **kw)


def _audit() -> tuple[FieldDef, ...]:
    return (
        _f("id", BIGINT, label="Record Id", read_only=True),
        _f("Owner", OWNERLOOKUP, label="Owner", lookup_module="users"),
        _f("Created_By", OWNERLOOKUP, read_only=True, lookup_module="users"),
        _f("Modified_By", OWNERLOOKUP, read_only=True, lookup_module="users"),
        _f("Created_Time", DATETIME, read_only=True),
        _f("Modified_Time", DATETIME, read_only=True),
        _f("Tag", MULTISELECT),
    )


LEAD_STATUS = ("Not Contacted", "Attempted to Contact", "Contact in Future", "Contacted",
               "Junk Lead", "Lost Lead", "Pre-Qualified", "Not Qualified")
LEAD_SOURCE = ("Advertisement", "Cold Call", "Employee Referral", "External Referral",
               "Online Store", "Partner", "Public Relations", "Sales Email Alias", "Seminar Partner",
               "Internal Seminar", "Trade Show", "Web Download", "Web Research", "Chat")
INDUSTRY = ("ASP (Application Service Provider)", "Data/Telecom OEM", "ERP (Enterprise Resource Planning)",
            "Government/Military", "Large Enterprise", "ManagementISV", "MSP (Management Service Provider)",
            "Network Equipment Enterprise", "Non-management ISV", "Optical Networking", "Service Provider",
            "Small/Medium Enterprise", "Storage Equipment", "Storage Service Provider", "Systems Integrator",
            "Wireless Industry")
ACCOUNT_TYPE = ("Analyst", "Competitor", "Customer", "Distributor", "Integrator", "Investor",
                "Other", "Partner", "Press", "Prospect", "Reseller", "Supplier", "Vendor")
DEAL_TYPE = ("Qualified", "Existing Business", "New Business")
CALL_TYPE = ("Outbound", "Inbound", "Missed")
CALL_PURPOSE = ("Prospecting", "Administrative", "Negotiation", "Demo", "Project", "Desk")
CALL_RESULT = ("Interested", "Not interested", "No response/Busy", "Requested more info",
               "Requested call back", "Invalid number")
OUTGOING_CALL_STATUS = ("Scheduled", "Completed", "Overdue", "Cancelled")
TASK_STATUS = ("Not Started", "Deferred", "In Progress", "Completed", "Waiting for input")
TASK_PRIORITY = ("High", "Highest", "Low", "Lowest", "Normal")

# Deal stages of the standard pipeline: (actual value, probability, forecast type)
DEAL_STAGES: tuple[tuple[str, int, str], ...] = (
    ("Qualification", 10, "Open"),
    ("Needs Analysis", 20, "Open"),
    ("Value Proposition", 40, "Open"),
    ("Id. Decision Makers", 60, "Open"),
    ("Perception Analysis", 70, "Open"),
    ("Proposal/Price Quote", 75, "Open"),
    ("Negotiation/Review", 90, "Open"),
    ("Closed Won", 100, "Closed Won"),
    ("Closed Lost", 0, "Closed Lost"),
    ("Closed-Lost to Competition", 0, "Closed Lost"),
)
DEAL_STAGE_DISPLAY = {"Id. Decision Makers": "Identify Decision Makers"}
PIPELINES = ("Standard",)

_ADDRESS = lambda prefix: tuple(  # noqa: E731 - a tiny table builder
    _f(f"{prefix}_{part}", TEXT) for part in ("Street", "City", "State", "Zip", "Country")
)

CONTACTS = ModuleDef(
    "Contacts", "Contact", "Contacts", "5725767000000002179",
    fields=_audit() + (
        _f("First_Name", TEXT, length=40),
        _f("Last_Name", TEXT, mandatory=True, length=80),
        _f("Full_Name", TEXT, read_only=True),
        _f("Email", EMAIL, length=100),
        _f("Secondary_Email", EMAIL, length=100),
        _f("Phone", PHONE, length=30),
        _f("Mobile", PHONE, length=30),
        _f("Home_Phone", PHONE, length=30),
        _f("Other_Phone", PHONE, length=30),
        _f("Asst_Phone", PHONE, length=30),
        _f("Fax", PHONE, length=30),
        _f("Account_Name", LOOKUP, lookup_module="Accounts"),
        _f("Reporting_To", LOOKUP, lookup_module="Contacts"),
        _f("Title", TEXT, length=100),
        _f("Department", TEXT, length=30),
        _f("Lead_Source", PICKLIST, pick_list=LEAD_SOURCE),
        _f("Email_Opt_Out", BOOLEAN),
        _f("Description", TEXTAREA, length=32000),
        _f("Last_Activity_Time", DATETIME, read_only=True),
    ) + _ADDRESS("Mailing") + _ADDRESS("Other"),
    name_field="Full_Name", duplicate_check_field="Email",
)

LEADS = ModuleDef(
    "Leads", "Lead", "Leads", "5725767000000002175",
    fields=_audit() + (
        _f("First_Name", TEXT, length=40),
        _f("Last_Name", TEXT, mandatory=True, length=80),
        _f("Full_Name", TEXT, read_only=True),
        _f("Company", TEXT, length=200),
        _f("Email", EMAIL, length=100),
        _f("Secondary_Email", EMAIL, length=100),
        _f("Phone", PHONE, length=30),
        _f("Mobile", PHONE, length=30),
        _f("Fax", PHONE, length=30),
        _f("Designation", TEXT, length=100),
        _f("Lead_Status", PICKLIST, pick_list=LEAD_STATUS),
        _f("Lead_Source", PICKLIST, pick_list=LEAD_SOURCE),
        _f("Website", WEBSITE),
        _f("Email_Opt_Out", BOOLEAN),
        _f("Description", TEXTAREA, length=32000),
        _f("Converted__s", BOOLEAN, read_only=True),
        _f("Converted_Contact", LOOKUP, read_only=True, lookup_module="Contacts"),
        _f("Converted_Account", LOOKUP, read_only=True, lookup_module="Accounts"),
        _f("Converted_Deal", LOOKUP, read_only=True, lookup_module="Deals"),
        _f("Converted_Date_Time", DATETIME, read_only=True),
        _f("Last_Activity_Time", DATETIME, read_only=True),
    ) + tuple(_f(name, TEXT) for name in ("Street", "City", "State", "Zip_Code", "Country")),
    name_field="Full_Name", duplicate_check_field="Email",
)

ACCOUNTS = ModuleDef(
    "Accounts", "Account", "Accounts", "5725767000000002177",
    fields=_audit() + (
        _f("Account_Name", TEXT, mandatory=True, length=200),
        _f("Phone", PHONE, length=30),
        _f("Fax", PHONE, length=30),
        _f("Website", WEBSITE),
        _f("Parent_Account", LOOKUP, lookup_module="Accounts"),
        _f("Account_Type", PICKLIST, pick_list=ACCOUNT_TYPE),
        _f("Industry", PICKLIST, pick_list=INDUSTRY),
        _f("Employees", INTEGER),
        _f("Annual_Revenue", CURRENCY),
        _f("Description", TEXTAREA, length=32000),
        _f("Last_Activity_Time", DATETIME, read_only=True),
        # an admin-made custom field with "Do not allow duplicate values" on: the org's one unique field
        _f("Customer_Number", TEXT, label="Customer Number", length=40, unique=True, custom=True),
    ) + _ADDRESS("Billing") + _ADDRESS("Shipping"),
    name_field="Account_Name", duplicate_check_field="Account_Name",
)

DEALS = ModuleDef(
    "Deals", "Deal", "Deals", "5725767000000002181",
    fields=_audit() + (
        _f("Deal_Name", TEXT, mandatory=True, length=120),
        _f("Stage", PICKLIST, mandatory=True, pick_list=tuple(s for s, _, _ in DEAL_STAGES)),
        _f("Pipeline", PICKLIST, mandatory=True, pick_list=PIPELINES),
        _f("Closing_Date", DATE),
        _f("Amount", CURRENCY),
        _f("Probability", PERCENT),
        _f("Expected_Revenue", CURRENCY, read_only=True),
        _f("Account_Name", LOOKUP, lookup_module="Accounts"),
        _f("Contact_Name", LOOKUP, lookup_module="Contacts"),
        _f("Type", PICKLIST, pick_list=DEAL_TYPE),
        _f("Next_Step", TEXT, length=100),
        _f("Lead_Source", PICKLIST, pick_list=LEAD_SOURCE),
        _f("Reason_For_Loss__s", PICKLIST, pick_list=("Price", "Competition", "No Budget", "Timing", "Other")),
        _f("Description", TEXTAREA, length=32000),
        _f("Last_Activity_Time", DATETIME, read_only=True),
    ),
    name_field="Deal_Name", duplicate_check_field="Deal_Name",
)

_ACTIVITY_LINKS = (
    _f("Who_Id", LOOKUP, label="Contact Name", lookup_module="Contacts"),
    _f("What_Id", MULTIMODULE_LOOKUP, label="Related To"),
    _f("Description", TEXTAREA, length=32000),
)

CALLS = ModuleDef(
    "Calls", "Call", "Calls", "5725767000000002183",
    fields=_audit() + _ACTIVITY_LINKS + (
        _f("Subject", TEXT, mandatory=True, length=255),
        _f("Call_Type", PICKLIST, mandatory=True, pick_list=CALL_TYPE),
        _f("Call_Start_Time", DATETIME, mandatory=True),
        _f("Call_Duration", TEXT, length=10),
        _f("Call_Duration_in_seconds", INTEGER, read_only=True),
        _f("Call_Purpose", PICKLIST, pick_list=CALL_PURPOSE),
        _f("Call_Result", PICKLIST, pick_list=CALL_RESULT),
        _f("Call_Agenda", TEXTAREA, length=2000),
        _f("Outgoing_Call_Status", PICKLIST, pick_list=OUTGOING_CALL_STATUS),
        _f("Caller_ID", PHONE, length=30),
        _f("Dialled_Number", PHONE, length=30),
        _f("CTI_Entry", BOOLEAN, read_only=True),
    ),
    name_field="Subject", upsert_supported=False,
)

EVENTS = ModuleDef(
    "Events", "Meeting", "Meetings", "5725767000000002185",
    fields=_audit() + _ACTIVITY_LINKS + (
        _f("Event_Title", TEXT, mandatory=True, length=255),
        _f("Start_DateTime", DATETIME, mandatory=True),
        _f("End_DateTime", DATETIME, mandatory=True),
        _f("All_day", BOOLEAN),
        _f("Venue", TEXT, length=255),
        _f("Participants", PARTICIPANTS),
        _f("Remind_Participants", BOOLEAN),
    ),
    name_field="Event_Title", upsert_supported=False,
)

TASKS = ModuleDef(
    "Tasks", "Task", "Tasks", "5725767000000002187",
    fields=_audit() + _ACTIVITY_LINKS + (
        _f("Subject", TEXT, mandatory=True, length=255),
        _f("Due_Date", DATE),
        _f("Status", PICKLIST, pick_list=TASK_STATUS),
        _f("Priority", PICKLIST, pick_list=TASK_PRIORITY),
        _f("Send_Notification_Email", BOOLEAN),
        _f("Closed_Time", DATETIME, read_only=True),
    ),
    name_field="Subject", upsert_supported=False,
)

MODULES: dict[str, ModuleDef] = {m.api_name: m for m in
                                 (LEADS, CONTACTS, ACCOUNTS, DEALS, CALLS, EVENTS, TASKS)}
ACTIVITY_MODULES = ("Calls", "Events", "Tasks")
# $se_module values accepted with What_Id
WHAT_ID_MODULES = ("Leads", "Accounts", "Deals", "Contacts")

# OAuth scope name of each module ("ZohoCRM.modules.<scope_name>.READ")
MODULE_SCOPE_NAME = {name: name.lower() for name in MODULES}
