"""Every key Zoho's metadata objects carry, so a client that maps them by name finds each one.

The lists are the keys Zoho's Python SDK for v8 (``zohocrmsdk8-0`` 7.0.0, ``src/json_details.json``) declares for
``org.Org``, ``org.LicenseDetails``, ``users.Users``, ``modules.Modules``, ``fields.Fields``,
``fields.PickListValue``, ``layouts.Layouts``, ``pipeline.Pipeline`` and ``pipeline.Maps`` (the SDK's own
``keyModified`` left out). A key we have no value for is sent as ``null``, as Zoho does for unset ones
(e.g. https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html: ``"fax": null``). tests/clients checks
the lists against the installed SDK.
"""
from __future__ import annotations

from typing import Any

ORG_KEYS = (
    "alias", "call_icon", "checkin_preferences", "city", "company_name", "country", "country_code",
    "created_time", "currency", "currency_locale", "currency_symbol", "deletable_org_account", "description",
    "domain_name", "employee_count", "ezgid", "fax", "gapps_enabled", "hierarchy_preferences",
    "hipaa_compliance_enabled", "id", "iso_code", "license_details", "lite_users_enabled", "max_per_page",
    "mc_status", "mobile", "oauth_presence", "phone", "photo_id", "primary_email", "primary_zuid",
    "privacy_settings", "state", "street", "time_zone", "translation_enabled", "type", "website", "zgid",
    "zia_portal_id", "zia_zgid", "zip",
)
LICENSE_KEYS = (
    "paid", "paid_expiry", "paid_type", "trial_action", "trial_expiry", "trial_type", "users_license_purchased",
)
USER_KEYS = (
    "$current_shift", "$next_shift", "$shift_effective_from", "Created_By", "Created_Time", "Currency",
    "Isonline", "Modified_By", "Modified_Time", "Reporting_To", "Tag", "alias", "category", "city", "confirm",
    "country", "country_locale", "created_by", "created_time", "customize_info", "date_format",
    "decimal_separator", "default_tab_group", "dob", "email", "ezuid", "fax", "first_name", "full_name", "id",
    "image_link", "imap_status", "language", "last_name", "locale", "microsoft", "mobile", "name",
    "name_format__s", "ntc_enabled", "ntc_notification_type", "number_separator", "offset", "personal_account",
    "phone", "profile", "role", "rtl_enabled", "sandboxDeveloper", "signature", "sort_order_preference",
    "sort_order_preference__s", "state", "status", "status_reason__s", "street", "telephony_enabled", "theme",
    "time_format", "time_zone", "website", "zip", "zuid",
)
MODULE_KEYS = (
    "$field_states", "$on_demand_properties", "$properties", "activity_badge", "api_name", "api_supported",
    "arguments", "business_card_field_limit", "business_card_fields", "chart_view", "chart_view_supported",
    "convertable", "creatable", "custom_view", "default_mapping_fields", "deletable", "description",
    "display_field", "editable", "emailTemplate_support", "email_parser_supported", "feeds_required", "fields",
    "filter_status", "filter_supported", "generated_type", "global_search_supported", "has_more_profiles", "id",
    "inventory_template_supported", "isBlueprintSupported", "kanban_view", "kanban_view_supported",
    "layout_associations", "layouts", "lookup_field_properties", "modified_by", "modified_time", "module_name",
    "parent_module", "per_page", "plural_label", "presence_sub_menu", "profile_count", "profiles",
    "quick_create", "recycle_bin_on_delete", "related_list_properties", "related_lists", "scoring_supported",
    "search_layout_fields", "sequence_number", "show_as_tab", "singular_label", "static_subform_properties",
    "status", "sub_menu_available", "territory", "track_current_data", "triggers_supported", "viewable",
    "visibility", "visible", "web_link", "webform_supported", "zia_view",
)
FIELD_KEYS = (
    "_update_existing_records", "additional_column", "allowed_modules", "api_name", "associated_module",
    "association_details", "auto_number", "autonumber", "available_in_user_layout", "blueprint_supported",
    "businesscard_supported", "category", "colour_code_enabled_by_system", "column_name", "convert_mapping",
    "created_source", "created_time", "crypt", "currency", "custom_field", "customizable_properties",
    "data_type", "decimal_place", "default_value", "display_field", "display_label", "display_type",
    "email_parser", "enable_colour_code", "external", "field_label", "field_read_only",
    "file_upolad_optionlist", "filterable", "formula", "global_picklist", "hipaa_compliance",
    "hipaa_compliance_enabled", "history_tracking", "history_tracking_enabled", "id", "json_type",
    "layout_associations", "length", "lookup", "mass_update", "modified_time", "multi_module_lookup",
    "multiselectlookup", "multiuserlookup", "number_separator", "operation_type", "pick_list_values",
    "pick_list_values_sorted_lexically", "private", "profiles", "quick_sequence_number", "read_only",
    "refer_from_field", "rollup_summary", "searchable", "separator", "sequence_number", "sharing_properties",
    "show_type", "sortable", "static_field", "sub_module", "subform", "system_mandatory", "textarea", "tooltip",
    "type", "ui_type", "unique", "view_type", "virtual_field", "visible", "webhook",
)
PICK_LIST_VALUE_KEYS = (
    "_delete", "_global_picklist_value", "actual_value", "colour_code", "deal_category", "display_value",
    "expected_data_type", "forecast_category", "forecast_type", "id", "maps", "probability", "reference_value",
    "sequence_number", "show_value", "sys_ref_name", "type",
)
LAYOUT_KEYS = (
    "actions_allowed", "api_name", "convert_mapping", "created_by", "created_for", "created_time",
    "display_label", "display_type", "generated_type", "has_more_profiles", "id", "mode", "modified_by",
    "modified_time", "name", "profiles", "sections", "show_business_card", "source", "status",
    "subform_properties", "visible",
)
PIPELINE_KEYS = (
    "actual_value", "child_available", "default", "display_value", "id", "maps", "parent",
)
PIPELINE_STAGE_KEYS = (
    "_delete", "actual_value", "colour_code", "display_value", "forecast_category", "forecast_type", "id",
    "sequence_number",
)


def complete(body: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``body`` with every key of ``keys`` it lacks set to ``None`` (its own keys first, in order)."""
    return body | {key: None for key in keys if key not in body}
