"""The pages that gather every domain: the home page and the site's navigation.

It sits above every domain, so it may import them all; no domain imports it.
"""

from flask import Flask


def register(app: Flask) -> None:
    from lms.home.blueprint import bp
    from lms.home.menu import bottom_tabs, main_nav

    app.register_blueprint(bp)

    @app.context_processor
    def navigation():
        return {"main_nav": main_nav, "bottom_tabs": bottom_tabs}
