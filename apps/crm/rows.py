"""Columns and cards of the pipeline board, ready to print.

The board prints up to 15 cards per stage, and each card of a user who may move customers has a
move form: its URL, a label and a ``<select>`` of every stage. Done in the template per card,
the ``{% url %}`` and ``{% blocktranslate %}`` tags and the loop over the stages were most of the
page's cost. So the selector loads only the printed columns (``values_list``) and this module
builds the cards in one Python pass: URLs from one ``reverse()``, labels translated once per
call, and the ``<option>`` list rendered once per stage (there are six) and shared by the cards
of that stage. The template prints the attributes.

Everything here is HTML-escaped and marked safe, so the engine prints it as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from apps.common.rows import TemplateRow, url_for_pk
from apps.crm.models import Customer

# The columns of a card, in the order ``pipeline_columns`` unpacks them (``updated_at`` orders
# the cards of a stage).
PIPELINE_CARD_COLUMNS = ("id", "stage", "number", "name", "city", "updated_at")


@dataclass(slots=True)
class PipelineCard(TemplateRow):
    """One card of ``crm/pipeline.html``."""

    pk: str
    url: str  # the customer's page
    name: str
    meta: str  # "K-00012 · Berlin" (the city only if there is one)
    move_url: str  # the move form's action with the board's filter; empty: no move form
    move_label: str  # the label of the stage select: "Stage of Müller GmbH"
    options: str  # the stage select's <option>s, the card's stage selected


@dataclass(slots=True)
class PipelineColumn(TemplateRow):
    stage: str
    label: str
    count: int  # customers in the stage (under the board's filter)
    cards: list[PipelineCard]  # the most recently changed ones


def stage_options() -> dict[str, SafeString]:
    """Per stage the ``<option>`` list of all stages with that one selected (active language)."""
    choices = [(escape(value), escape(label)) for value, label in Customer.Stage.choices]
    return {
        stage: SafeString(
            "".join(
                f'<option value="{value}"{" selected" if value == stage else ""}>{label}</option>'
                for value, label in choices
            )
        )
        for stage in Customer.Stage.values
    }


def pipeline_columns(
    counts: dict[str, int],
    cards: Iterable[tuple[Any, ...]],
    *,
    can_move: bool,
    query: str = "",
) -> list[PipelineColumn]:
    """The board's columns, one per stage in the stages' order: ``counts`` per stage and the
    ``cards`` (``PIPELINE_CARD_COLUMNS``, each stage's in the order to show). Move forms only if
    ``can_move``; ``query`` (the board's filter, URL-encoded) is kept in their action."""
    detail_url = url_for_pk("crm:customer_detail")
    if can_move:
        move_url = url_for_pk("crm:pipeline_move")
        suffix = f"?{escape(query)}" if query else ""
        stage_of = gettext("Stage of %(name)s")
        options = stage_options()
    columns = {
        stage: PipelineColumn(stage=stage, label=str(label), count=counts.get(stage, 0), cards=[])
        for stage, label in Customer.Stage.choices
    }
    for pk, stage, number, name, city, _updated_at in cards:
        name = escape(name)
        columns[stage].cards.append(
            PipelineCard(
                pk=SafeString(pk),
                url=detail_url(pk),
                name=name,
                meta=SafeString(f"{escape(number)} · {escape(city)}") if city else escape(number),
                move_url=SafeString(f"{move_url(pk)}{suffix}") if can_move else "",
                move_label=SafeString(stage_of % {"name": name}) if can_move else "",
                options=options[stage] if can_move else "",
            )
        )
    return list(columns.values())
