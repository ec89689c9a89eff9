"""Connection: connect or disconnect Zoho orgs; edition, credit limit and use; users mapped and unmapped.

Admins change their own org here; CSMs see every org read-only (no connect, disconnect or mapping).
"""
from __future__ import annotations

import html
import os

import pandas as pd
import streamlit as st

import page_messages as say
from page_access import org_choices, page_viewer
from sync_engine import service
from sync_engine.service import DATA_CENTRES, percent_words

DEMO = "Embedded demo org (emulator)"

viewer = page_viewer("connection")
rt = st.session_state["runtime"]
demo = rt.demo

st.title("Connection")
if "flash" in st.session_state:
    kind, message = st.session_state.pop("flash")
    say.show("success" if kind == "success" else "error", message)

orgs = service.visible_orgs(rt, viewer)
connected = [o for o in orgs if o.status == "connected"]
if viewer.role == "csm" and orgs:
    st.dataframe(pd.DataFrame([{"org": o.company_name or o.name, "org id": o.org_id, "status": o.status,
                                "edition": o.edition, "data centre": o.data_centre,
                                "connected by": o.connected_by_email} for o in orgs]),
                 hide_index=True, width="stretch")


def render_org(org_id: str) -> None:
    overview = service.connection_overview(rt, org_id)
    org = overview.org
    admin = viewer.can_administer(org_id)
    st.subheader(say.as_text(org.company_name or org.name))
    say.caption(f"Data centre {org.data_centre} · {org.api_domain} · connected by {org.connected_by_email} "
               f"on {org.connected_at:%Y-%m-%d %H:%M} UTC")
    cols = st.columns(5)
    cols[0].metric("Edition", (org.edition or "unknown").title())
    cols[1].metric("Licences", org.licences or 0)
    cols[2].metric("Daily credit limit", f"{org.daily_credit_limit or 0:,}")
    cols[3].metric("Credits used (24 h)", f"{overview.credits_used_24h:,}",
                   help=f"Our budget: {percent_words(org.budget_share)} of the daily limit = "
                        f"{overview.credit_budget:,} credits")
    ours = overview.counts.mapped + overview.counts.unmapped_ours
    cols[4].metric("Users mapped", f"{overview.counts.mapped} / {ours}")

    mapping = overview.mapping
    st.markdown("#### Users")
    st.dataframe(pd.DataFrame([{
        "our user": m.ours.email, "Zoho user": m.zoho.full_name, "Zoho email": m.zoho.email,
        "Zoho status": m.zoho.status, "matched by": m.matched_by,
        "note": "inactive in Zoho: activities cannot be owned by this user" if m.inactive else ""}
        for m in mapping.matched]), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Our users with no Zoho user ({len(mapping.unmatched_ours)})** — their conversations are "
                    "held until mapped")
        zoho_choices = {f"{u.full_name} <{u.email}>": u.zoho_user_id
                        for u in rt.users.zoho_users(org_id) if u.status == "active"}
        if not admin:
            st.dataframe(pd.DataFrame([{"our user": u.email} for u in mapping.unmatched_ours]), hide_index=True)
        for user in mapping.unmatched_ours if admin else []:
            with st.form(f"map-{user.email}"):
                choice = st.selectbox(say.as_text(f"Map {user.email} to"), ["—", *zoho_choices],
                                      key=f"pick-{user.email}")
                if st.form_submit_button("Map user") and choice != "—":
                    released = service.map_user_as(rt, viewer, org_id, user.email, zoho_choices[choice])
                    st.session_state["flash"] = ("success", f"Mapped {user.email}; released {len(released)} "
                                                            "held conversation(s).")
                    st.rerun()
    with right:
        st.markdown(f"**Zoho users nobody maps to ({len(mapping.unmatched_zoho)})**")
        st.dataframe(pd.DataFrame([{"Zoho user": u.full_name, "email": u.email, "status": u.status}
                                   for u in mapping.unmatched_zoho]), hide_index=True, width="stretch")
    for duplicate in mapping.duplicates:
        say.warning(f"Several Zoho users share the email {duplicate.email_normalised}: map them by hand.")
    if overview.held:
        st.markdown(f"#### Held conversations ({len(overview.held)})")
        st.dataframe(pd.DataFrame([{"conversation": h.conversation_id, "user": h.user_email,
                                    "why": h.held_reason, "held since": h.held_at} for h in overview.held]),
                     hide_index=True, width="stretch")

    progress = service.mirror_status(rt, org_id)
    st.markdown("#### Mirror (shadow copy of Zoho)")
    expected = f" of {progress.records_expected:,}" if progress.records_expected else ""
    eta = f", about {progress.eta_s:.0f} s left" if progress.eta_s else ""
    st.progress(progress.fraction, text=f"{progress.phase}: {progress.records_done:,}{expected} records mirrored; "
                                        f"{progress.credits_spent:,} credits spent{eta}")
    if not admin:
        return  # the rest spends credits or changes the connection
    with st.expander("Records in Zoho (7 credits)"):
        if st.button("Count records", key=f"count-{org_id}"):
            counts = service.record_counts(rt, org_id)
            st.dataframe(pd.DataFrame({"module": list(counts), "records": list(counts.values())}),
                         hide_index=True, width="stretch")
    if st.button("Refresh Zoho users", key=f"users-{org_id}"):
        released = service.refresh_zoho_users_as(rt, viewer, org_id)
        st.session_state["flash"] = ("success", f"Users refreshed; released {len(released)} held conversation(s).")
        st.rerun()
    with st.popover("Disconnect"):
        st.write("Revokes our token at Zoho and deletes it here. The credit ledger is kept.")
        if st.button("Disconnect this org", type="primary", key=f"disconnect-{org_id}"):
            service.disconnect_as(rt, viewer, org_id)
            st.session_state["flash"] = ("success", f"Disconnected {org.name}.")
            st.rerun()


if connected:
    names = org_choices(rt, connected_only=True)
    picked = st.selectbox("Org", list(names), index=0) if len(names) > 1 else next(iter(names))
    try:
        render_org(names[picked])
    except service.ZohoError as err:
        say.error(f"Zoho answered with an error: {err.describe()}")
elif viewer.role == "admin":
    say.info("No org is connected yet. Connect one below." if viewer.org_id is None else
            "Your org is disconnected. Reconnect it below.")
else:
    say.info("No org is connected yet: an admin connects one.")

if viewer.role != "admin":
    st.stop()  # connecting is an admin's job
st.divider()
st.subheader("Connect an org")
st.write("A Zoho CRM administrator signs in once. Register a server-based app in Zoho's API console with "
         "this redirect URI, then enter its client ID and secret.")
redirects = [u for u in (st.session_state.get("app_urls") or []) if u]
options = ([DEMO] if demo else []) + [f"{code} ({dc.accounts_url})" for code, dc in DATA_CENTRES.items()]
dc_choice = st.selectbox("Data centre", options)
use_demo = demo is not None and dc_choice == DEMO
server_secret = use_demo or service.client_secret_configured()  # it stays on the server: never pre-filled
with st.form("connect"):
    client_id = st.text_input("Client ID", value=demo.client_id if use_demo else os.environ.get("ZOHO_CLIENT_ID", ""))
    client_secret = st.text_input(
        "Client secret", type="password", value="",
        placeholder="leave empty to use the secret set on the server" if server_secret else "",
        help=("Leave it empty: the server uses the demo client's secret." if use_demo else
              "Leave it empty: the server uses its ZOHO_CLIENT_SECRET, which never reaches this page."
              if server_secret else "The secret of the client registered in Zoho's API console."))
    redirect_uri = st.text_input("Redirect URI", value=(redirects or ["http://localhost:8501/"])[0])
    start = st.form_submit_button("Start sign-in", type="primary")
if start:
    try:
        begun = service.begin_connect_as(
            rt, viewer, data_centre_code="LOCAL" if use_demo else dc_choice.split(" ")[0],
            accounts_url=demo.url if use_demo else None, client_id=client_id,
            client_secret=client_secret or (demo.client_secret if use_demo else ""), redirect_uri=redirect_uri)
        st.markdown(f'<a href="{html.escape(begun.authorization_url, quote=True)}" target="_self" '
                    'id="zoho-sign-in">Continue to Zoho to sign in →</a>', unsafe_allow_html=True)
    except service.OnboardingRefused as refused:
        say.error(str(refused))
