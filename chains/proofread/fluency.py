"""The fluency layer's issues in one sentence: the model's correction, typed and checked."""

from __future__ import annotations

from .diff import Annotator, diff_edits
from .issues import Issue
from .taxonomy import taxonomy
from .verify import Sentence, Verifier


def model_issues(sentence: Sentence, corrected: str, annotator: Annotator) -> list[Issue]:
    """Typed edits turning the sentence into `corrected`, as issues at the sentence's offsets."""
    issues = []
    for edit in diff_edits(annotator, sentence.text, corrected) or []:
        original = sentence.text[edit.start : edit.end].strip()
        name = taxonomy().model(edit.type)
        message = (
            f"{name.description}: “{original}” → “{edit.replacement}”."
            if edit.replacement
            else f"{name.description}: remove “{original}”."
        )
        issues.append(
            Issue(
                sentence.start + edit.start,
                edit.end - edit.start,
                "grammar",
                name.id,
                message,
                (edit.replacement,),
                short_message=name.description,
                rule_category=name.category,
                from_model=True,
            )
        )
    return issues


async def fluency_issues(
    sentence: Sentence,
    corrected: str | None,
    annotator: Annotator,
    verifier: Verifier | None,
) -> list[Issue]:
    """The model's edits in one sentence that the verifier (if any) keeps."""
    issues = model_issues(sentence, corrected, annotator) if corrected is not None else []
    if verifier is not None and issues:
        issues = await verifier.keep(sentence.text, sentence.start, issues)
    return issues
