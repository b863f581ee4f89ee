"""A run fails when the hub said a word in Chinese that the Chinese catalog does not have.

The catalogs hold what extraction finds: a message id written where a known keyword takes it
(`Message(...)`, `NotPermitted(...)`, `N_(...)`). One handed through a helper extraction does not
know leaves the catalog without a word, and the reader gets English. Every id that reaches
`web.i18n.gettext` for Chinese while the tests run in this process is checked here.
"""

from __future__ import annotations

import pytest

import web.i18n

UNTRANSLATED: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    said = web.i18n.gettext

    def watched(lang: str, msgid: str) -> str:
        if lang == "zh" and msgid not in web.i18n.catalog("zh"):
            UNTRANSLATED.add(msgid)
        return said(lang, msgid)

    web.i18n.gettext = watched


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if UNTRANSLATED:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "said in Chinese without a word in the zh catalog", red=True)
            for msgid in sorted(UNTRANSLATED):
                reporter.write_line(f"  {msgid!r}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
