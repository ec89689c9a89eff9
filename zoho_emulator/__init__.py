"""A faithful stand-in for Zoho CRM (accounts server + CRM REST API v8) on loopback.

It shares no code with the client in ``sync_engine``: it must catch the client's mistakes.
"""
from zoho_emulator.api.server import EmulatorConfig, RunningEmulator, start_emulator

__all__ = ["EmulatorConfig", "RunningEmulator", "start_emulator"]
