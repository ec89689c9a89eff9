"""Streamlit entry: starts the runtime once per server process and lays out the pages."""
from __future__ import annotations

import streamlit as st

from sync_engine.demo import DemoOrg, start_demo


@st.cache_resource(show_spinner="Starting the embedded Zoho demo org…")
def runtime() -> DemoOrg:
    """One emulator per server process, shared by every session."""
    return start_demo()


def main() -> None:
    st.set_page_config(page_title="Zoho CRM sync", page_icon="🔄", layout="wide")
    st.session_state["demo"] = runtime()
    page = st.navigation([st.Page("pages/demo_org.py", title="Demo org", icon="🏢", default=True)])
    page.run()


main()
