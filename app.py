"""Streamlit entry: starts the runtime once per server process, finishes OAuth sign-ins, signs people in and
lays out the pages their role may see.

The session token lives in ``st.session_state`` (one browser tab's session) and is checked against the
database on every rerun, so an expired or signed-out session stops working at once. A full page load,
such as the return from Zoho's consent page, starts a new session: one signs in again.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

import page_messages as say
from demo.embedded import start_demo
from page_access import NAVIGATION, PAGES
from sync_engine import service
from sync_engine.jobs.scheduler import SyncScheduler
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.service.access import Viewer


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
        rt.scheduler = scheduler
    return rt


def finish_oauth_redirect(rt: Runtime, viewer: Viewer | None) -> None:
    """Zoho sends the admin back here with ?code=…&state=… (or ?error=…) after the consent page.

    It arrives in a new browser session, so usually before anyone has signed in: the unguessable,
    single-use ``state`` proves the connection, and it binds the admin who started it, whoever is here.
    """
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
    if viewer is not None and viewer.role != "manager":
        st.switch_page("pages/connection.py")
    st.rerun()  # signed out: the sign-in page says the connection is done (or why not)


HERE = Path(__file__).resolve().parent


def pages_for(viewer: Viewer) -> list[st.Page]:
    """The role's pages, in order; a page still being written (no file yet) is left out."""
    return [st.Page(f"pages/{name}.py", title=PAGES[name][0], icon=PAGES[name][1], default=i == 0)
            for i, name in enumerate(NAVIGATION[viewer.role]) if (HERE / "pages" / f"{name}.py").exists()]


def signed_in_viewer(rt: Runtime) -> Viewer | None:
    """The viewer behind this browser session's token, re-checked on every rerun; None when signed out."""
    token = st.session_state.get("session_token")
    viewer = service.viewer_for(rt, token) if token else None
    if viewer is None:
        if token:
            st.session_state["signed_out_reason"] = "Your session expired: sign in again."
        for key in ("session_token", "viewer"):
            st.session_state.pop(key, None)
        return None
    st.session_state["viewer"] = viewer
    return viewer


def sign_in_page() -> None:
    """The only page until one signs in. A function, not a file under pages/: Streamlit's older
    multipage mode runs such files directly, and this page must always come through main()."""
    rt: Runtime = st.session_state["runtime"]
    st.title("Sign in")
    reason = st.session_state.pop("signed_out_reason", None)
    if reason:
        say.info(reason)
    if "flash" in st.session_state:  # the return from Zoho's consent page lands here, in a new session
        kind, message = st.session_state["flash"]  # kept for the Connection page, after signing in
        say.show("success" if kind == "success" else "error", message)
        st.caption("Sign in again to carry on: the trip to Zoho started a new browser session.")
    with st.form("sign-in"):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            viewer, token = service.sign_in(rt, email, password)
        except service.SignInRefused as refused:
            say.error(str(refused))
        else:
            st.session_state["session_token"] = token
            st.session_state["viewer"] = viewer
            st.rerun()
    if rt.demo is not None:
        st.caption("Trying the embedded demo? The demo accounts are listed in README.md under “Demo accounts”.")


def sign_out(rt: Runtime) -> None:
    """The Sign out button's callback: runs before the next rerun, whichever page that shows."""
    service.sign_out(rt, st.session_state.pop("session_token", None))
    st.session_state.pop("viewer", None)
    st.session_state["signed_out_reason"] = "You signed out."


def sidebar(rt: Runtime, viewer: Viewer) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{say.as_text(viewer.name)}** ({say.as_text(viewer.email)}) · {viewer.role} · "
                   f"{say.as_text(viewer.scope)}")
        st.button("Sign out", icon=":material/logout:", on_click=sign_out, args=(rt,))


def main() -> None:
    st.set_page_config(page_title="Zoho CRM sync", page_icon=":material/sync:", layout="wide")
    rt = runtime()
    st.session_state["runtime"] = rt
    st.session_state["app_urls"] = app_urls()
    viewer = signed_in_viewer(rt)
    if viewer is None:
        page = st.navigation([st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in")])
    else:
        page = st.navigation(pages_for(viewer))
        sidebar(rt, viewer)
    finish_oauth_redirect(rt, viewer)
    if rt.scheduler is not None:
        rt.scheduler.reload()  # orgs connected or disconnected since the last page view
    page.run()


main()
