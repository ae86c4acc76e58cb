from flask import Flask

from lms.web import downloads
from lms.web.downloads import content_disposition, download, safe_filename


def test_a_file_name_loses_path_separators_quotes_and_control_characters():
    assert safe_filename('../../etc/pa"ss\r\nwd.csv') == "etc-pa-ss-wd.csv"
    assert safe_filename("签到表 2026-12.xlsx") == "签到表 2026-12.xlsx"
    assert safe_filename("///") == "download"


def test_an_ascii_name_is_sent_as_it_is():
    assert content_disposition("audit-log.xlsx") == 'attachment; filename="audit-log.xlsx"'


def test_a_chinese_name_gets_an_ascii_fallback_and_the_utf8_name():
    value = content_disposition("签到表.xlsx", inline=True)
    assert value.startswith('inline; filename="download.xlsx"; ')
    assert value.endswith("filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.xlsx")
    value.encode("latin-1")  # a header value Werkzeug can send


def test_a_personal_download_is_recorded_and_an_ordinary_one_is_not(monkeypatch):
    recorded = []
    monkeypatch.setattr(downloads, "_personal_export_recorders", [])
    downloads.register_personal_export_recorder(lambda **fields: recorded.append(fields))
    with Flask(__name__).test_request_context():
        plain = download(b"x", "a.csv", "text/csv")
        personal = download(b"x", "名单.csv", "text/csv", personal={"target_type": "roster"})
    assert plain.headers["Cache-Control"] == "private, no-store"
    assert personal.get_data() == b"x"
    assert recorded == [{"filename": "名单.csv", "target_type": "roster"}]
