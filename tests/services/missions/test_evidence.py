"""File evidence validation and storage, without Flask."""

import zipfile
from io import BytesIO

import pytest

from app.services.errors import NotFound, ValidationFailed
from app.services.missions import evidence

SAMPLES = {
    "proof.pdf": b"%PDF-1.7\n...",
    "shot.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,
    "photo.JPG": b"\xff\xd8\xff\xe0" + b"\x00" * 16,
    "photo.jpeg": b"\xff\xd8\xff\xe1" + b"\x00" * 16,
    "anim.gif": b"GIF89a" + b"\x00" * 16,
    "pic.webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
    "notes.txt": "Grüße, it went well.\n".encode(),
}


def _docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data"), [*SAMPLES.items(), ("story.docx", _docx())])
def test_allowed_types_with_matching_content_are_stored_under_a_random_token(tmp_path, name, data):
    stored = evidence.store(tmp_path, data, name, max_mb=1)
    assert evidence.is_token(stored.token)
    assert (tmp_path / stored.token).read_bytes() == data
    assert stored.filename == name
    assert stored.mimetype == evidence.MIMETYPES[name.rsplit(".", 1)[1].lower()]


def test_two_uploads_of_the_same_name_get_different_tokens(tmp_path):
    first = evidence.store(tmp_path, SAMPLES["proof.pdf"], "proof.pdf", max_mb=1)
    second = evidence.store(tmp_path, SAMPLES["proof.pdf"], "proof.pdf", max_mb=1)
    assert first.token != second.token


@pytest.mark.parametrize(("name", "data", "message"), [
    ("virus.exe", b"MZ\x90\x00", "not accepted"),
    ("no_extension", b"%PDF-1.4", "not accepted"),
    ("page.html", b"<html></html>", "not accepted"),
    ("fake.pdf", b"<script>alert(1)</script>", "does not look like a real .pdf"),
    ("fake.png", b"%PDF-1.4", "does not look like a real .png"),
    ("binary.txt", b"abc\x00def", "does not look like a real .txt"),
    ("latin1.txt", b"caf\xe9", "does not look like a real .txt"),
    ("zip.docx", b"PK\x03\x04 not really a zip", "does not look like a real .docx"),
    ("empty.pdf", b"", "empty"),
])
def test_wrong_or_disguised_files_are_refused_and_nothing_is_written(tmp_path, name, data, message):
    with pytest.raises(ValidationFailed, match=message) as caught:
        evidence.store(tmp_path, data, name, max_mb=1)
    assert caught.value.field == "file"
    assert list(tmp_path.iterdir()) == []


def test_size_limit_is_the_setting_in_megabytes(tmp_path):
    limit = 1024 * 1024
    assert evidence.store(tmp_path, b"%PDF-" + b"x" * (limit - 5), "ok.pdf", max_mb=1)
    with pytest.raises(ValidationFailed, match="limit is 1 MB"):
        evidence.store(tmp_path, b"%PDF-" + b"x" * (limit - 4), "big.pdf", max_mb=1)


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\report.pdf", "report.pdf"),
    ('bad"<name>.pdf', "badname.pdf"),
    ("a" * 300 + ".pdf", "a" * 110 + ".pdf"),
    ("", "evidence"),
    (None, "evidence"),
])
def test_filenames_are_display_only_and_cleaned(raw, clean):
    assert evidence.clean_filename(raw) == clean


def test_path_for_refuses_malformed_tokens_and_missing_files(tmp_path):
    stored = evidence.store(tmp_path, SAMPLES["proof.pdf"], "proof.pdf", max_mb=1)
    assert evidence.path_for(tmp_path, stored.token) == tmp_path / stored.token
    for token in ("../secret", "", None, "0" * 32, stored.token.upper()):
        with pytest.raises(NotFound):
            evidence.path_for(tmp_path, token)


def test_discard_removes_a_stored_file_and_ignores_bad_tokens(tmp_path):
    stored = evidence.store(tmp_path, SAMPLES["proof.pdf"], "proof.pdf", max_mb=1)
    evidence.discard(tmp_path, "../../etc/passwd")
    evidence.discard(tmp_path, None)
    evidence.discard(tmp_path, stored.token)
    assert list(tmp_path.iterdir()) == []
