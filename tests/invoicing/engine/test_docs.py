"""docs/billing.md's invoice_preview examples stay what the engine prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

from invoicing.engine.compute import compute_invoice
from invoicing.engine.document import parse_document, result_to_json

DOC = Path(__file__).resolve().parents[3] / "docs" / "billing.md"
BLOCK = re.compile(r"<!-- example: (input|output) -->\n```json\n(.*?)\n```", re.DOTALL)


def test_every_documented_example_prints_its_documented_output() -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert [kind for kind, _ in blocks] == ["input", "output"] * 3
    for (_, source), (_, printed) in zip(blocks[::2], blocks[1::2], strict=True):
        document = json.loads(source)
        assert result_to_json(compute_invoice(parse_document(document))) == json.loads(printed)
