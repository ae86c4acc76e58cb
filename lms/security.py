"""Security headers on every response.

The Content-Security-Policy allows only our own scripts (no inline scripts or styles)
and, for video, the S3 store's public origin; hls.js feeds the player through blob:
URLs. Frames are denied; HSTS is sent when the request came over HTTPS.
"""

from urllib.parse import urlsplit

from flask import Flask, request


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(config) -> str:
    media = ""
    if config["LMS_STORAGE"] == "s3":
        origin = _origin(config["LMS_S3_PUBLIC_ENDPOINT_URL"] or config["LMS_S3_ENDPOINT_URL"])
        media = f" {origin}" if origin else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' data: blob:{media}",
        "media-src": f"'self' blob:{media}",
        "connect-src": f"'self'{media}",
        "worker-src": "'self' blob:",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def register_security_headers(app: Flask) -> None:
    policy = content_security_policy(app.config)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        # The staff scanner needs the camera; the places directory asks the position (to
        # sort by distance in the browser; it is never sent). Nothing else needs either.
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=(self)")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
