"""What files a message may carry, what they are taken to be, and the names they are kept under (pure rules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import formats
from opsportal.domain.attachments import (
    MAX_NAME_LENGTH,
    RESERVED_NAMES,
    AttachmentPolicy,
    CheckedFile,
    check_file,
    count_problem,
    extension_of,
    looks_like_text,
    parse_extensions,
    sanitize_file_name,
)
from opsportal.state.uploads import refusal_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
POLICY = AttachmentPolicy()


@given(st.text(max_size=400))
def test_a_sanitised_name_has_no_path_separator_or_control_character_and_fits_the_length_cap(name):
    clean = sanitize_file_name(name)
    assert clean and len(clean) <= MAX_NAME_LENGTH
    assert not any(c in clean for c in "/\\<>:\"|?*")
    assert not any(ord(c) < 32 or ord(c) == 127 for c in clean)
    assert not clean.startswith(".") and not clean.endswith((".", " "))
    assert clean.split(".")[0].lower() not in RESERVED_NAMES


@given(st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=300),
       st.sampled_from(["png", "pdf", "log", "docx", "jpeg"]))
def test_a_sanitised_name_keeps_its_extension_however_long_the_name(stem, ext):
    assert extension_of(sanitize_file_name(f"{stem}.{ext}")) == ext


@given(st.text(max_size=200))
def test_sanitising_a_sanitised_name_changes_nothing(name):
    once = sanitize_file_name(name)
    assert sanitize_file_name(once) == once


@pytest.mark.parametrize(("given_name", "kept"), [
    ("C:\\Users\\ann\\Desktop\\error.png", "error.png"),
    ("../../etc/passwd", "passwd"),
    ("report\x00.pdf", "report.pdf"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("...", "file"),
    (".bashrc", "bashrc"),
    ("  spaced   out  name .log ", "spaced out name.log"),
    ('what?*<>|":.txt', "what_______.txt"),
])
def test_names_are_sanitised_to_what_any_system_can_save(given_name, kept):
    assert sanitize_file_name(given_name) == kept


def test_the_type_comes_from_the_contents_not_the_browser():
    assert check_file("shot.PNG", 40, PNG, POLICY) == CheckedFile("shot.PNG", "image/png", True)
    assert check_file("fake.png", 40, b"GIF89a....", POLICY) == (
        "fake.png is not a valid PNG image (its contents do not match the .png extension).")
    assert check_file("doc.pdf", 40, b"%PDF-1.7", POLICY) == CheckedFile("doc.pdf", "application/pdf", False)
    assert check_file("a.docx", 40, b"PK\x03\x04rest", POLICY).content_type.endswith("wordprocessingml.document")
    assert isinstance(check_file("a.webp", 40, b"RIFF\x00\x00\x00\x00WEBPVP8 ", POLICY), CheckedFile)


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "run.exe", "script.js", "noext"])
def test_types_a_browser_would_run_or_render_are_not_accepted(name):
    assert "this type of file is not accepted" in check_file(name, 10, b"hello", POLICY)


def test_a_file_over_the_limit_is_refused_with_both_sizes_named():
    assert check_file("big.log", 10_000_001, b"x", POLICY) == (
        "big.log is too big (10 MB); files may be up to 10 MB.")
    assert check_file("empty.log", 0, b"", POLICY) == "empty.log is empty."


def test_only_the_configured_extensions_are_accepted():
    only_pdf = AttachmentPolicy(extensions=parse_extensions(" .PDF, png;tar "))
    assert only_pdf.allowed == ("pdf", "png")
    assert "not accepted" in check_file("a.txt", 4, b"text", only_pdf)
    assert only_pdf.accept() == {"application/pdf": [".pdf"], "image/png": [".png"]}


def test_more_files_than_allowed_is_one_problem_naming_the_limit():
    assert count_problem(5, POLICY) is None
    assert count_problem(6, POLICY) == "Attach at most 5 files to one message (6 chosen)."


@given(st.text(alphabet=st.characters(min_codepoint=32, exclude_categories=("Cs", "Cc")), max_size=300))
def test_any_printable_utf8_text_looks_like_text(text):
    assert looks_like_text(text.encode("utf-8"))


def test_binary_bytes_do_not_look_like_text():
    assert not looks_like_text(b"abc\x00def")
    assert not looks_like_text(b"\x01\x02\x03")
    assert looks_like_text("Grüße aus Köln".encode("latin-1"))


@pytest.mark.parametrize(("size", "text"), [(0, "0 bytes"), (1, "1 byte"), (999, "999 bytes"), (1000, "1 kB"),
                                             (1050, "1.1 kB"), (10_000_000, "10 MB"), (10_485_760, "10.5 MB"),
                                             (999_950, "1 MB"), (2_500_000_000, "2.5 GB")])
def test_file_sizes_read_in_decimal_units(size, text):
    assert formats.byte_size(size) == text


def test_the_browser_s_refusals_are_explained_in_words_with_the_limits():
    assert refusal_text(["C:/x/setup.exe|file-invalid-type", "big.png|file-too-large"]) == (
        "Not added — setup.exe: not an accepted type; big.png: too big. Files may be up to 10 MB, at most 5 per "
        "message.")
    assert refusal_text([]) == ""
