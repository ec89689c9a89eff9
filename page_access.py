"""What a page needs from the sign-in: the viewer (if this page is theirs), and an org picker limited to the
orgs they may see, with ``?org=`` honoured.

app.py builds each role's navigation from ``NAVIGATION``; every page checks it again on its first line,
because Streamlit can run a file under ``pages/`` directly (its pre-``st.navigation`` multipage mode, on
a server process's first run), and then app.py's gate has not run. An org id in the URL that the viewer
may not see gets the same "not found" as one that does not exist.
"""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

import page_messages as say
from sync_engine import service
from sync_engine.service import Runtime, Viewer

PAGES = {  # file under pages/ -> (title, icon)
    "connection": ("Connection", ":material/link:"),
    "settings": ("Settings", ":material/tune:"),
    "conversations": ("Conversations", ":material/forum:"),
    "match_rates": ("Match rates", ":material/join_inner:"),
    "credits": ("Credits", ":material/toll:"),
    "jobs": ("Jobs", ":material/schedule:"),
    "writeback": ("Write-back", ":material/cloud_upload:"),
}
NAVIGATION = {  # role -> its pages, the first one opening after sign-in
    "csm": ("credits", "match_rates", "conversations", "writeback", "jobs", "connection"),
    "admin": ("connection", "settings", "conversations", "writeback", "match_rates", "credits", "jobs"),
    "manager": ("conversations", "writeback", "match_rates", "credits"),
}
NOT_YOURS = "This page is not available: sign in with an account whose role includes it."


def page_viewer(page: str) -> Viewer:
    """The signed-in viewer, if ``page`` is one of their role's pages; otherwise the page stops here."""
    viewer = st.session_state.get("viewer")
    if not isinstance(viewer, Viewer) or page not in NAVIGATION.get(viewer.role, ()):
        if viewer is None:
            try:
                st.switch_page("app.py")  # run directly (older multipage mode): go through the gate instead
            except StreamlitAPIException:
                pass  # app.py is not a page under st.navigation: nothing to switch to
        say.error(NOT_YOURS)
        st.stop()
    return viewer


def org_choices(rt: Runtime, *, connected_only: bool = False) -> dict[str, str]:
    """Label -> org id; the URL's org first (so it is the one picked). Stops the page if it is not visible."""
    try:
        return service.org_choices(rt, st.session_state["viewer"], connected_only,
                                   requested=st.query_params.get("org"))
    except service.OrgNotVisible as hidden:
        say.error(str(hidden))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers sure nothing is returned
