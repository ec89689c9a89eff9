"""The mirror's reference data: the org's country (the phone region), its users, its deal pipelines.

Users go into the same ``zoho_users`` snapshot the Connection page shows. The mirror only refreshes the
snapshot; it does not re-run user mapping, because mapping releases held conversations and hands them
to its caller to process -- a background mirror job has nowhere to take them. ``service.refresh_zoho_users``
remains the one place that maps and releases.
"""
from __future__ import annotations

import logging

from sync_engine.mirror.run import MirrorRun
from sync_engine.records.contact_points import region_code
from sync_engine.records.users import zoho_user
from sync_engine.store.mirror.tables import DealStage
from sync_engine.zoho import AuthError, ZohoClient, ZohoError

log = logging.getLogger(__name__)


def refresh_settings(run: MirrorRun) -> None:
    """GET /org (country, zone, currency) and the Deals pipelines with their stages: ~3 credits."""
    org = run.client.org()
    try:
        stages = deal_stages(run.client)
    except AuthError:
        raise
    except ZohoError as err:  # pipelines off or not readable: keep the stages we have
        log.warning("could not read deal pipelines of org %s: %s", run.org_id, err)
        stages = None
    if stages is not None:
        run.tables.replace_deal_stages(run.org_id, stages, run.now)
    run.update_org_state(country_code=org.get("country_code"), time_zone=org.get("time_zone"),
                         currency=org.get("currency"), settings_refreshed_at=run.now, phone=org.get("phone") or None)
    run.region = region_code(org.get("country_code"))


def refresh_users(run: MirrorRun) -> int:
    """All Zoho users (1 credit per 200) into the ``zoho_users`` snapshot; returns how many."""
    users = [zoho_user(raw) for raw in run.client.users("AllUsers")]
    run.rt.users.replace_zoho_users(run.org_id, users, synced_at=run.now)
    run.update_org_state(users_refreshed_at=run.now)
    return len(users)


def deal_stages(client: ZohoClient) -> list[DealStage]:
    """Every stage of every pipeline of every Deals layout (a pipeline shared by layouts counted once)."""
    stages: dict[tuple[str, str], DealStage] = {}
    for layout in client.layouts("Deals"):
        for pipeline in client.pipelines(str(layout["id"])):
            name = str(pipeline.get("display_value") or pipeline.get("actual_value") or "")
            for item in pipeline.get("maps") or []:
                stage = DealStage(
                    str(pipeline["id"]), name, bool(pipeline.get("default")), str(item.get("actual_value") or ""),
                    str(item.get("display_value") or item.get("actual_value") or ""), item.get("sequence_number"),
                    item.get("forecast_type"), (item.get("forecast_category") or {}).get("name"),
                    item.get("probability"))
                stages.setdefault((stage.pipeline_id, stage.stage), stage)
    return list(stages.values())
