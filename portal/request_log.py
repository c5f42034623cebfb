"""One log line per request with its request id, echoed to the client as X-Request-ID.

Built on django-structlog's RequestMiddleware, with three of its choices changed:
- it logs `request.get_full_path()`, and an HTTP-Redirect SAMLRequest, SAMLResponse or
  Signature travels in the query string: we log the path only;
- it believes any X-Request-ID (when told to trust upstream ids): we keep one only when
  portal.middleware.TrustedProxyMiddleware let it through (a trusted proxy sent it) and it
  looks like an id, since it is echoed in a response header and written to every log line;
- it finds the client IP with django-ipware, which reads X-Forwarded-For itself and picks
  an address the client can forge: we log REMOTE_ADDR, which TrustedProxyMiddleware has
  already set to the nearest address a trusted proxy vouched for.
"""

import re

import structlog
from django_structlog.middlewares import RequestMiddleware

REQUEST_ID_HEADER = "X-Request-ID"
# UUIDs, and the ids load balancers generate (hex, base64url, dotted or dashed), no spaces.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request logging, with a vetted request id and no query strings."""

    def prepare(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if given and not _REQUEST_ID.match(given):
            del request.META["HTTP_X_REQUEST_ID"]
        super().prepare(request)
        request.request_id = structlog.contextvars.get_contextvars()["request_id"]

    def handle_response(self, request, response):
        # Before the parent clears the context; also on 500 pages.
        request_id = getattr(request, "request_id", None)
        if request_id:
            response[REQUEST_ID_HEADER] = request_id
        super().handle_response(request, response)

    @staticmethod
    def format_request(request) -> str:
        return f"{request.method} {request.path}"

    @classmethod
    def bind_ip(cls, request) -> None:
        structlog.contextvars.bind_contextvars(ip=request.META.get("REMOTE_ADDR"))
