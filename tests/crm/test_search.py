import pytest

from apps.crm.search import fold, search_terms, search_text
from apps.crm.validators import leitweg_checksum_ok, validate_leitweg_id


@pytest.mark.parametrize(
    ("value", "folded"),
    [("Müller GmbH", "muller gmbh"), ("MÜLLER", "muller"), ("Straße", "strasse"), ("Café", "cafe")],
)
def test_fold(value, folded):
    assert fold(value) == folded


def test_search_text_keeps_german_transliteration():
    text = search_text(["Müller GmbH", None, ""])
    assert "muller gmbh" in text and "mueller gmbh" in text


def test_search_terms_limits_words():
    assert search_terms("a b c d e f g") == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize("value", ["04011000-1234512345-06", "04011000-12345-03", "992-90009-96"])
def test_leitweg_id_valid(value):
    validate_leitweg_id(value)
    assert leitweg_checksum_ok(value)


@pytest.mark.parametrize(
    "value", ["04011000-1234512345-07", "1-23", "abc", "04011000-abc-06", "04011000--06"]
)
def test_leitweg_id_invalid(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_leitweg_id(value)
