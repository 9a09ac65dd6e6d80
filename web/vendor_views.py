"""Browser libraries served from installed Python packages, so nothing is fetched from a CDN
and nothing third-party is kept in this repository: Plotly.js from the `plotly` package."""
from __future__ import annotations

import re
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from flask import Blueprint, send_file

bp = Blueprint("vendor", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/vendor/plotly.min.js")
def plotly_js():
    """Public like /static: it is the published library. Pages link it with `?v=<version>`,
    so it may be cached for a year and an upgrade is still fetched at once."""
    response = send_file(plotly_js_path(), mimetype="text/javascript", conditional=True,
                         etag=True, max_age=ONE_YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@cache
def plotly_js_path() -> Path:
    resource = resources.files("plotly").joinpath("package_data", "plotly.min.js")
    return Path(str(resource))  # an installed package: a real file


@cache
def plotly_version() -> str:
    return metadata.version("plotly")


# Plotly.js, when loaded, adds MapLibre's CSS as a <style> element with content, which the
# CSP (web/setup.py) refuses, logging an error, unless an element with that id is there
# already. So the page renders an empty <style> with that id (allowed: the hash of empty
# content) before plotly.min.js. No chart here is a map, so MapLibre's CSS is not needed.
_MAPLIBRE_CSS = re.compile(
    r'if\(!document\.getElementById\("([0-9a-f]{64})"\)\)\{var ([\w$]+)='
    r'document\.createElement\("style"\);\2\.id="\1",\2\.textContent=\'\.maplibregl-')


@cache
def plotly_maplibre_style_id() -> str | None:
    """The id of that <style> element in the installed Plotly.js; None where not found
    (another version), and then no placeholder is rendered."""
    return maplibre_style_id(plotly_js_path().read_text(encoding="utf-8"))


def maplibre_style_id(script: str) -> str | None:
    match = _MAPLIBRE_CSS.search(script)
    return match.group(1) if match else None
