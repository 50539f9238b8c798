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
