"""Streamlit entry: starts the runtime once per server process, finishes OAuth sign-ins, lays out pages."""
from __future__ import annotations

import os

import streamlit as st

from sync_engine import service
from sync_engine.demo import start_demo
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.scheduler import SyncScheduler


def app_urls() -> list[str]:
    """This app's own address(es), which Zoho redirects back to after the consent page."""
    if os.environ.get("APP_URL"):
        return [os.environ["APP_URL"].rstrip("/") + "/"]
    port = st.get_option("server.port")
    return [f"http://localhost:{port}/", f"http://127.0.0.1:{port}/"]


@st.cache_resource(show_spinner="Starting: database, embedded Zoho demo org…")
def runtime() -> Runtime:
    """One runtime per server process, shared by every browser session."""
    rt = open_runtime()
    if not os.environ.get("SYNC_NO_DEMO"):
        demo = start_demo(rt)
        demo.allow_redirects_to(*app_urls())
    if not os.environ.get("SYNC_NO_SCHEDULER"):
        scheduler = SyncScheduler(rt)
        scheduler.start()
        rt.extras["scheduler"] = scheduler
    return rt


def finish_oauth_redirect(rt: Runtime) -> None:
    """Zoho sends the admin back here with ?code=…&state=… (or ?error=…) after the consent page."""
    params = st.query_params
    if "state" not in params:
        return
    try:
        connected = service.finish_connect(rt, state=params.get("state", ""), code=params.get("code"),
                                           accounts_server=params.get("accounts-server"), error=params.get("error"))
        st.session_state["flash"] = ("success", f"Connected {connected.org.name} ({connected.org.edition}) "
                                                f"as {connected.admin_email}.")
    except service.OnboardingRefused as refused:
        st.session_state["flash"] = ("error", str(refused))
    st.query_params.clear()
    st.switch_page("pages/connection.py")


def main() -> None:
    st.set_page_config(page_title="Zoho CRM sync", page_icon=":material/sync:", layout="wide")
    rt = runtime()
    st.session_state["runtime"] = rt
    st.session_state["app_urls"] = app_urls()
    page = st.navigation([st.Page("pages/connection.py", title="Connection", icon=":material/link:", default=True),
                          st.Page("pages/conversations.py", title="Conversations", icon=":material/forum:"),
                          st.Page("pages/jobs.py", title="Jobs", icon=":material/schedule:"),
                          st.Page("pages/credits.py", title="Credits", icon=":material/toll:"),
                          st.Page("pages/match_rates.py", title="Match rates", icon=":material/join_inner:")])
    finish_oauth_redirect(rt)
    if "scheduler" in rt.extras:
        rt.extras["scheduler"].reload()  # orgs connected or disconnected since the last page view
    page.run()


main()
