"""Large and hostile picture uploads: phone photos are welcome and scaled down,
decompression bombs and oversized files get a message next to the field, with
everything else the person typed kept."""

import io
import os
import struct
import zlib

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from meetup import images
from meetup.extensions import db
from meetup.models import Group, User
from tests.helpers import csrf_token, log_in, redirects_to

MB = 1024 * 1024


def png_claiming(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of the given size: tiny on disk, huge once decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def phone_photo(megabytes: float) -> bytes:
    """A JPEG of about 12 megapixels whose noise makes it ``megabytes`` large."""
    width, height = 4000, 3000
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    for quality in (95, 85, 70, 50, 30):
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality)
        if buffer.tell() <= megabytes * MB:
            return buffer.getvalue()
    raise AssertionError("could not make a photo that small")


def post_multipart(client, url: str, fields: dict, filename: str, data: bytes,
                   file_field: str):
    """POST a form with a file, built in memory (the test client would spool a
    large body to a temporary file that it never closes)."""
    token = csrf_token(client.get(url).get_data(as_text=True))
    boundary, body = encode_multipart(
        {"csrf_token": token, **fields,
         file_field: FileStorage(io.BytesIO(data), filename, content_type="image/jpeg")})
    return client.post(url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def olga(app, make_user, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    user_id, _ = make_user("olga@example.com", name="Olga Beispiel")
    client = app.test_client()
    log_in(client, "olga@example.com")
    return client, user_id


PROFILE = {"headline": "Steuerberaterin für Gründer", "company": "Olga GmbH",
           "profile_visibility": "members"}


def photo_upload(client, data, filename="photo.png"):
    return post_multipart(client, "/people/me", PROFILE, filename, data, "photo")


def assert_refused_and_kept(app, response, user_id, message):
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Steuerberaterin für Gründer"' in html and 'value="Olga GmbH"' in html
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.photo is None and user.headline == ""


@pytest.mark.parametrize("size", [(20_000, 20_000), (10_000, 10_000), (8_000, 8_000)],
                         ids=["beyond-pillow-limit", "pillow-warning", "beyond-our-limit"])
def test_decompression_bomb_as_photo_is_refused(app, olga, size):
    client, user_id = olga
    response = photo_upload(client, png_claiming(*size))
    assert_refused_and_kept(app, response, user_id, "zu viele Pixel")


def test_decompression_bomb_as_logo_is_refused(app, olga, make_group):
    client, user_id = olga
    slug = make_group(user_id)
    form = {"name": "Neuer Name", "slug": slug, "city": "Münster", "visibility": "public",
            "join_policy": "open", "timezone": "Europe/Berlin"}
    response = post_multipart(client, f"/groups/{slug}/edit", form, "logo.png",
                              png_claiming(20_000, 20_000), "logo")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "zu viele Pixel" in html and 'value="Neuer Name"' in html
    with app.app_context():
        group = db.session.get(Group, db.session.scalar(db.select(Group.id)))
        assert group.logo is None and group.name != "Neuer Name"


def test_a_phone_photo_is_accepted_and_scaled_down(app, olga):
    client, user_id = olga
    photo = phone_photo(12)
    assert len(photo) > 8 * MB
    redirects_to(photo_upload(client, photo, "IMG_0042.jpg"), f"/people/{user_id}")
    with client.get(f"/people/{user_id}/photo") as stored:
        assert stored.status_code == 200
        with Image.open(io.BytesIO(stored.get_data())) as image:
            assert max(image.size) == 400
    with app.app_context():
        assert db.session.get(User, user_id).headline == PROFILE["headline"]


def test_a_photo_over_the_limit_is_refused_next_to_the_field(app, olga):
    client, user_id = olga
    data = png_claiming(100, 100) + b"\x00" * (images.MAX_BYTES + 1)
    assert len(data) < app.config["MAX_CONTENT_LENGTH"]
    response = photo_upload(client, data)
    assert_refused_and_kept(app, response, user_id, "zu groß (höchstens 20 MB)")


@pytest.mark.parametrize(("language", "message"), [("de", "Datei zu groß"),
                                                   ("en", "File too large")])
def test_a_request_over_the_hard_limit_gets_a_clear_page(app, olga, language, message):
    client, _user_id = olga
    token = csrf_token(client.get("/people/me").get_data(as_text=True))
    boundary, body = encode_multipart({"csrf_token": token, "photo": FileStorage(
        io.BytesIO(b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1)), "huge.jpg")})
    response = client.post("/people/me", data=body, headers={"Accept-Language": language},
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert message in response.get_data(as_text=True)
    assert "24 MB" in response.get_data(as_text=True)


def test_pixels_are_checked_before_decoding(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    for size in [(20_000, 20_000), (10_000, 10_000), (8_000, 8_000)]:
        with pytest.raises(images.ImageError, match="too many pixels"):
            images.process(png_claiming(*size), 400)
