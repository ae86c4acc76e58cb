from lms.security import content_security_policy


def test_every_page_carries_the_security_headers(client):
    for path in ("/", "/login", "/courses/", "/healthz", "/static/css/site.css", "/nope"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_hsts_over_https_behind_a_proxy(database_url, tmp_path):
    from tests.apps import build_app

    app = build_app(database_url, tmp_path, environ={"LMS_PROXY_HOPS": "1"})
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_media_origin_is_allowed_on_s3():
    policy = content_security_policy(
        {
            "LMS_STORAGE": "s3",
            "LMS_S3_PUBLIC_ENDPOINT_URL": "https://media.example.cn/bucket",
            "LMS_S3_ENDPOINT_URL": "http://minio:9000",
        }
    )
    assert "media-src 'self' blob: https://media.example.cn" in policy
    assert "connect-src 'self' https://media.example.cn" in policy
    assert "minio" not in policy
