"""Browser libraries served from installed Python packages, so nothing is fetched from a CDN
and nothing third-party is kept in this repository: Plotly.js from the `plotly` package."""
from __future__ import annotations

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
