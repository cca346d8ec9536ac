"""Logo uploads: checked, re-encoded, resized, stripped of metadata, access-checked."""

import io

from PIL import Image
from sqlalchemy import select

from meetup import images
from meetup.extensions import db
from meetup.models import Group
from tests.helpers import log_in, redirects_to, submit

FORM = {"name": "Unternehmerclub Münster", "city": "Münster", "visibility": "public",
        "join_policy": "open", "timezone": "Europe/Berlin"}


def jpeg_with_exif(size=(1200, 800)) -> bytes:
    image = Image.new("RGB", size, (30, 58, 138))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"private note")
    return buffer.getvalue()


def upload(client, slug, data, filename, **fields):
    return submit(client, f"/groups/{slug}/edit",
                  {**FORM, "slug": slug, **fields, "logo": (io.BytesIO(data), filename)},
                  content_type="multipart/form-data")


def fetch(client, url):
    """GET and close: file responses hold their file open until closed."""
    with client.get(url) as response:
        return response.status_code, response.headers, response.get_data()


def test_logo_is_resized_and_cleaned(app, client, make_user, make_group, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    original = jpeg_with_exif()
    assert b"SecretCam" in original
    redirects_to(upload(client, slug, original, "logo.jpg"), f"/groups/{slug}")
    status, headers, data = fetch(client, f"/groups/{slug}/logo")
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert b"SecretCam" not in data and b"private note" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert max(image.size) == 512
        assert not image.getexif()
    assert f'src="/groups/{slug}/logo"' in client.get(f"/groups/{slug}").get_data(as_text=True)


def test_fake_image_is_refused(app, client, make_user, make_group, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    response = upload(client, slug, b"this is plain text, not a picture", "logo.png")
    assert response.status_code == 422
    assert "kein Bild, das wir lesen können" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Group.logo)) is None


def test_oversized_upload_is_refused(app, client, make_user, make_group, tmp_path,
                                     monkeypatch):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    # A smaller limit keeps the upload below the size at which the test client
    # spools to a temporary file it never closes; the check is the same.
    monkeypatch.setattr(images, "MAX_BYTES", 100_000)
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    big = Image.frombytes("RGB", (200, 200), bytes(200 * 200 * 3))
    buffer = io.BytesIO()
    big.save(buffer, format="BMP")
    data = buffer.getvalue()
    assert len(data) > images.MAX_BYTES
    response = upload(client, slug, data, "logo.bmp")
    assert response.status_code == 422
    assert "zu groß" in response.get_data(as_text=True)


def test_an_unsupported_format_is_refused(app, client, make_user, make_group, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="TIFF")
    response = upload(client, slug, buffer.getvalue(), "logo.tiff")
    assert response.status_code == 422
    assert "PNG-, JPEG-, WebP- oder GIF-Bild" in response.get_data(as_text=True)


def test_private_logo_is_hidden_from_outsiders(app, client, make_user, make_group, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    owner_id, _ = make_user("owner@example.com")
    make_user()
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    owner = app.test_client()
    log_in(owner, "owner@example.com")
    response = upload(owner, slug, jpeg_with_exif((64, 64)), "logo.jpg",
                      visibility="private", join_policy="invite")
    redirects_to(response, f"/groups/{slug}")
    status, headers, _data = fetch(owner, f"/groups/{slug}/logo")
    assert status == 200 and "private" in headers["Cache-Control"]
    assert fetch(client, f"/groups/{slug}/logo")[0] == 404
    log_in(client, "mara@example.com")
    assert fetch(client, f"/groups/{slug}/logo")[0] == 404
