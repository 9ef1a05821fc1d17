"""The pipeline board's cards (apps.crm.rows, built by selectors.pipeline_board)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.crm import rows
from apps.crm.models import Customer
from apps.crm.selectors import PIPELINE_COLUMN_LIMIT, pipeline_board
from tests.crm.factories import CustomerFactory

pytestmark = pytest.mark.django_db

OPEN = [Customer.Status.LEAD, Customer.Status.ACTIVE]


def _board(**kwargs):  # type: ignore[no-untyped-def]
    return pipeline_board(Customer.objects.filter(status__in=OPEN), **kwargs)


def _cards(columns, stage):  # type: ignore[no-untyped-def]
    return next(column for column in columns if column.stage == stage).cards


def test_card_text_is_escaped_once():
    customer = CustomerFactory(
        name='<b>Tom & "Jerry"</b>', city="Köln <Süd>", stage="proposal", status="lead"
    )
    (card,) = _cards(_board(can_move=True), "proposal")
    assert card.pk == str(customer.pk)
    assert card.name == "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"
    assert card.meta == f"{customer.number} · Köln &lt;Süd&gt;"
    assert card.url == reverse("crm:customer_detail", args=[customer.pk])
    with translation.override("de"):
        (card,) = _cards(_board(can_move=True), "proposal")
    assert card.move_label == "Phase von &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"
    html = render_to_string("crm/pipeline.html#board", {"columns": _board(can_move=True)})
    assert "<b>Tom" not in html
    assert html.count("&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;") == 2  # link and label
    assert "&amp;lt;" not in html and "&amp;amp;" not in html  # not escaped twice


def test_card_without_city_prints_only_the_number():
    customer = CustomerFactory(city="", stage="new_lead", status="lead")
    (card,) = _cards(_board(), "new_lead")
    assert card.meta == customer.number


def test_select_has_every_stage_and_the_cards_stage_selected():
    CustomerFactory(stage="negotiation", status="lead")
    (card,) = _cards(_board(can_move=True), "negotiation")
    assert card.options.count("<option ") == len(Customer.Stage.values)
    assert card.options.count(" selected") == 1
    assert '<option value="negotiation" selected>' in card.options
    with translation.override("de"):
        assert ">Verhandlung</option>" in rows.stage_options()["won"]
        assert '<option value="won" selected>gewonnen</option>' in rows.stage_options()["won"]


def test_stage_labels_are_escaped_in_the_options(monkeypatch):
    stages = SimpleNamespace(choices=[("a", "A & <B>"), ("b", "B")], values=["a", "b"])
    monkeypatch.setattr(rows, "Customer", SimpleNamespace(Stage=stages))
    assert rows.stage_options() == {
        "a": '<option value="a" selected>A &amp; &lt;B&gt;</option><option value="b">B</option>',
        "b": '<option value="a">A &amp; &lt;B&gt;</option><option value="b" selected>B</option>',
    }


def test_no_move_form_without_permission():
    CustomerFactory(stage="new_lead", status="lead")
    columns = _board(can_move=False)
    (card,) = _cards(columns, "new_lead")
    assert (card.move_url, card.move_label, card.options) == ("", "", "")
    html = render_to_string("crm/pipeline.html#board", {"columns": columns})
    assert "pipeline-move" not in html
    assert "draggable" not in html
    assert f'data-customer="{card.pk}"' in html


def test_move_form_keeps_the_filter_escaped_and_labels_its_select():
    customer = CustomerFactory(stage="new_lead", status="lead")
    columns = _board(can_move=True, query="q=a%26b&type=company")
    (card,) = _cards(columns, "new_lead")
    move_url = reverse("crm:pipeline_move", args=[customer.pk])
    assert card.move_url == f"{move_url}?q=a%26b&amp;type=company"
    html = render_to_string("crm/pipeline.html#board", {"columns": columns, "csrf_token": "tok"})
    assert f'action="{move_url}?q=a%26b&amp;type=company"' in html
    assert f'<label class="visually-hidden" for="stage-for-{customer.pk}">' in html
    assert f'<select name="stage" id="stage-for-{customer.pk}">' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok">' in html
    assert 'draggable="true"' in html


def test_columns_count_all_and_show_the_latest_changed_first():
    now = timezone.now()
    latest_first = []
    for minutes in range(PIPELINE_COLUMN_LIMIT + 2):
        customer = CustomerFactory(stage="qualified", status="lead")
        when = now - dt.timedelta(minutes=minutes)
        Customer.objects.filter(pk=customer.pk).update(updated_at=when)
        latest_first.append(str(customer.pk))
    CustomerFactory(stage="qualified", status="inactive")  # not on the board
    won = CustomerFactory(stage="won", status="active")
    columns = _board(can_move=True)
    assert [column.stage for column in columns] == Customer.Stage.values
    by_stage = {column.stage: column for column in columns}
    assert by_stage["qualified"].count == PIPELINE_COLUMN_LIMIT + 2
    assert [card.pk for card in by_stage["qualified"].cards] == latest_first[:PIPELINE_COLUMN_LIMIT]
    assert [card.pk for card in by_stage["won"].cards] == [str(won.pk)]
    assert (by_stage["lost"].count, by_stage["lost"].cards) == (0, [])


@pytest.mark.parametrize("per_stage", [1, PIPELINE_COLUMN_LIMIT + 3])
def test_query_count_is_constant(django_assert_num_queries, per_stage):
    for stage in Customer.Stage.values:
        for _ in range(per_stage):
            CustomerFactory(stage=stage, status="lead")
    with django_assert_num_queries(2):
        columns = _board(can_move=True, query="q=x")
    assert sum(len(column.cards) for column in columns) == len(Customer.Stage.values) * min(
        per_stage, PIPELINE_COLUMN_LIMIT
    )
