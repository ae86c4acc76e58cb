import json
import re
from pathlib import Path

import pytest
from flask import render_template_string

import lms
from lms.web.scripts import page_config, url_template


def test_a_url_template_has_a_placeholder_where_each_named_variable_goes(app):
    with app.test_request_context():
        assert url_template("study.heartbeat", play_session_id="id") == (
            "/api/v1/play-sessions/{id}/heartbeats"
        )
        assert url_template("attendance.post_scans", class_session_id="id") == (
            "/api/v1/class-sessions/{id}/scans"
        )
        assert (
            url_template("courses.lesson", course_id="course", lesson_id="lesson")
            == "/courses/{course}/lessons/{lesson}"
        )


def test_a_url_template_refuses_a_name_that_is_no_path_variable(app):
    with app.test_request_context(), pytest.raises(ValueError):
        url_template("study.heartbeat", play_session_id="id", page="page")


def block_of(html: str):
    match = re.fullmatch(r'<script type="application/json" id="page-config">(.*)</script>', html)
    assert match, html
    return match.group(1)


def test_the_page_config_is_one_json_block_no_value_can_end(app):
    hostile = "</script><script>alert(\"x\")</script> & 'quoted'"
    with app.test_request_context():
        html = str(page_config({"scanner": {"message": hostile}}, study={"beats": 30}))
    data = block_of(html)
    assert "</script" not in data and "<" not in data and "&" not in data
    assert json.loads(data) == {"scanner": {"message": hostile}, "study": {"beats": 30}}


def test_templates_call_page_config_and_url_template(app):
    with app.test_request_context():
        html = render_template_string(
            "{{ page_config(study={'heartbeats': url_template("
            "'study.heartbeat', play_session_id='id'), 'word': _('Progress:')}) }}"
        )
    assert json.loads(block_of(html)) == {
        "study": {"heartbeats": "/api/v1/play-sessions/{id}/heartbeats", "word": "学习进度："}
    }


STATIC = Path(lms.__file__).parent / "static"
TEMPLATES = Path(lms.__file__).parent.parent / "templates"
RELATIVE_IMPORT = re.compile(r'(?:^import|\bfrom)\s+"(\.{1,2}/[^"]+)"', re.M)


def imports_of(module: Path) -> set[Path]:
    """Every module ``module`` imports, directly or through others."""
    found, todo = set(), [module]
    while todo:
        current = todo.pop()
        for name in RELATIVE_IMPORT.findall(current.read_text(encoding="utf-8")):
            target = (current.parent / name).resolve()
            if target not in found:
                found.add(target)
                todo.append(target)
    return found


def test_every_module_a_script_imports_exists():
    for script in (STATIC / "js").rglob("*.js"):
        for target in imports_of(script):
            assert target.is_file(), f"{script.name} imports {target}, which is missing"


def test_the_scanner_service_worker_keeps_every_module_the_scanner_page_loads(client):
    body = client.get("/class-sessions/scanner-sw.js").get_data(as_text=True)
    kept = set(json.loads(re.match(r"self\.SCANNER_SW = (\{.*\});\n", body).group(1))["assets"])
    main = STATIC / "js" / "scanner" / "main.js"
    needed = {main.resolve(), *imports_of(main)}
    assert {"/static/" + path.relative_to(STATIC.resolve()).as_posix() for path in needed} <= kept


def test_templates_have_no_inline_script_but_the_page_config_block():
    for template in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            assert " src=" in tag, f"{template.relative_to(TEMPLATES)}: {tag} (use page_config)"
