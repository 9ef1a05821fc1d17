from django import forms

from apps.common.widgets import FastSelect


class _Form(forms.Form):
    choice = forms.ChoiceField(
        choices=[("", "---"), ("a", "<A>"), ("b", "B")], widget=FastSelect, required=False
    )


def test_fast_select_renders_like_a_select_and_escapes():
    html = str(_Form({"choice": "b"})["choice"])
    assert html.startswith("<select") and 'name="choice"' in html and 'id="id_choice"' in html
    assert '<option value="b" selected>B</option>' in html
    assert "&lt;A&gt;" in html
    assert html.count("<option") == 3
