"""The JSON API under /api/v1 for other systems (phone systems, CRMs, survey tools)."""
from callqa.web.api import calls_views, openapi, surveys_views, webhooks_views
from callqa.web.api.auth import bp

__all__ = ["bp", "calls_views", "openapi", "surveys_views", "webhooks_views"]
