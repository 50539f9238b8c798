def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Browse the catalog" in response.get_data(as_text=True)


def test_the_site_has_an_icon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


def test_platform_admins_find_the_failed_jobs_page_in_the_navigation(app, client):
    from app.db import db
    from tests.app.people import make_user, sign_in

    admin = make_user("root@platform.test", admin=True)
    teacher = make_user("t@school.test")
    db.session.commit()
    sign_in(client, admin)
    assert "/admin/jobs" in client.get("/").get_data(as_text=True)
    sign_in(client, teacher)
    assert "/admin/jobs" not in client.get("/").get_data(as_text=True)
