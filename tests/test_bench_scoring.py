"""The grammar benchmark's scoring: overlap matching and the better annotator per line."""

from bench.gec import Line
from bench.scoring import sentence_scores, span_scores


def _line(source: str, gold: list[list[tuple[int, int]]], corrections: list[str]) -> Line:
    return Line(source, corrections, gold)


def test_span_scores_match_by_overlap_against_the_better_annotator() -> None:
    lines = [
        # annotator 1 marks nothing; annotator 2 marks characters 4-7, which the issue overlaps
        _line("She go home.", [[], [(4, 6)]], ["She go home.", "She goes home."]),
        # nobody changed this line, and one issue is shown on it: a false alarm
        _line("All is well.", [[], []], ["All is well.", "All is well."]),
    ]
    scores = span_scores(lines, [[(4, 7)], [(0, 3)]])
    assert (scores["precision"], scores["recall"]) == (0.5, 1.0)
    assert scores["unchanged_lines"] == 1 and scores["false_alarm_rate"] == 1.0


def test_sentence_scores_count_erroneous_lines_and_flagged_references() -> None:
    lines = [_line("He go .", [], ["He goes ."]), _line("Fine .", [], ["Fine  ."])]
    scores = sentence_scores(lines, [[(3, 5)], []], [[], [(0, 4)]])
    assert scores["erroneous"] == 1 and scores["recall"] == 1.0
    assert scores["refs_flagged"] == 0.5
