"""flask lms reports-rollup."""


def test_the_rollup_command(app):
    result = app.test_cli_runner().invoke(args=["lms", "reports-rollup", "--rebuild"])
    assert result.exit_code == 0
    assert "statistics rollups" in result.output and " through " in result.output
