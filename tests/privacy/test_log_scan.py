"""The test run's log scan (``tests/support/logscan.py``) finds what it is meant to find."""

from __future__ import annotations

import logging
from pathlib import Path

from tests.support import logscan
from tests.support.logscan import LogScan, find_leaks, personal_numbers, sent_by_the_tests


def test_a_number_the_tests_send_is_found_in_any_format() -> None:
    numbers = personal_numbers(["电话 138.0013.8000，身份证 110105 19491231 002X"])
    assert numbers == {"13800138000", "11010519491231002X"}
    logged = [
        ("rasa.log (+1)", "Received user message '一三八零零一三八零零零'"),
        ("web.log (+7)", 'body={"text": "110105194912310 02x"}'),
        ("rasa.log (+2)", "2026-12-07 08:15:02 INFO port 5005, 13800 events, id 110105"),
    ]
    assert [leak.where for leak in find_leaks(logged, numbers)] == [
        "rasa.log (+1)",
        "web.log (+7)",
    ]


def test_secrets_are_found_as_written() -> None:
    logged = [("rasa.log (+3)", "GET /status?token=t0k3n-of-this-start 200")]
    assert [str(leak) for leak in find_leaks(logged, set(), ["t0k3n-of-this-start"])] == [
        "t0k…rt in rasa.log (+3)"
    ]


def test_the_tests_send_the_formats_of_issue_19() -> None:
    sent = sent_by_the_tests()
    for number in ("13800138000", "11010519491231002X", "zhang.san@qq.com"):
        assert number in sent
    assert len(sent) >= 20


def test_records_and_what_log_files_gained_are_scanned(tmp_path: Path) -> None:
    # Its own logger and file suffix, so that the run's scan does not find these samples.
    sample = logging.getLogger("tests.log_scan_sample")
    sample.propagate = False
    old = tmp_path / "rasa.sample"
    old.write_text("an earlier run: 13800138000\n", encoding="utf-8")
    scan = LogScan(temp_dir=tmp_path, logger=sample.name, suffix=".sample")
    scan.start()
    try:
        sample.info("turn of 13912345678")
        sample.debug("debug is not used in production: 15912345678")
    finally:
        scan.stop()
    with old.open("a", encoding="utf-8") as log:
        log.write("this run: 17712345678\n")
    (tmp_path / "web.sample").write_text("new file: liling2017@163.com\n", encoding="utf-8")
    numbers = {"13800138000", "13912345678", "15912345678", "17712345678", "liling2017@163.com"}
    found = {leak.value: leak.where for leak in scan.leaks(numbers)}
    assert found.keys() == {"13912345678", "17712345678", "liling2017@163.com"}
    assert found["13912345678"] == "log record tests.log_scan_sample:INFO"


def test_the_plugin_scans_this_run() -> None:
    assert logscan._SCAN.handler in logging.getLogger().handlers
