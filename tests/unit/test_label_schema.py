import pytest

from fairlabel.domain.label_schema import (
    InvalidAnswer,
    InvalidSchema,
    InvalidTaskData,
    parse_schema,
)

SINGLE = {"type": "single_choice", "choices": ["pos", "neg", "neu"]}
MULTI = {"type": "multi_choice", "choices": ["cat", "dog", "bird"]}
RATING = {"type": "rating", "min": 1, "max": 5}
TEXT = {"type": "free_text", "max_length": 20}
PAIR = {"type": "pairwise"}


@pytest.mark.parametrize("raw", [SINGLE, MULTI, RATING, TEXT, PAIR])
def test_schemas_round_trip_through_their_json_form(raw: dict[str, object]) -> None:
    assert parse_schema(raw).to_dict() == {**raw}


@pytest.mark.parametrize(("raw", "message"), [
    ({"type": "nope"}, "unknown schema type"),
    ({"type": "single_choice", "choices": ["a"]}, "at least two"),
    ({"type": "single_choice", "choices": ["a", "a"]}, "distinct"),
    ({"type": "single_choice", "choices": ["a", ""]}, "non-empty"),
    ({"type": "rating", "min": 5, "max": 1}, "min < max"),
    ({"type": "rating", "min": 1.5, "max": 3}, "whole number"),
    ({"type": "free_text", "max_length": 0}, "max_length"),
    ({"type": "pairwise", "choices": ["a", "b"]}, "unknown fields"),
    ("single_choice", "must be an object"),
])
def test_bad_schemas_say_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(InvalidSchema, match=message):
        parse_schema(raw)


@pytest.mark.parametrize(("raw", "answer", "stored"), [
    (SINGLE, "neg", "neg"),
    (MULTI, ["dog", "cat"], ["cat", "dog"]),
    (MULTI, [], []),
    (RATING, 5, 5),
    (TEXT, "  hello  ", "hello"),
    (PAIR, {"choice": "b"}, {"choice": "b"}),
    (PAIR, {"choice": "a", "rationale": " clearer "}, {"choice": "a", "rationale": "clearer"}),
])
def test_valid_answers_are_stored_in_canonical_form(raw: object, answer: object,
                                                    stored: object) -> None:
    assert parse_schema(raw).validate_answer(answer) == stored


@pytest.mark.parametrize(("raw", "answer", "message"), [
    (SINGLE, "maybe", "one of"),
    (SINGLE, ["pos"], "one of"),
    (MULTI, "cat", "list"),
    (MULTI, ["cat", "fish"], "not among"),
    (MULTI, ["cat", "cat"], "only once"),
    (RATING, 6, "between 1 and 5"),
    (RATING, True, "whole number"),
    (RATING, 2.0, "whole number"),
    (TEXT, "x" * 21, "limit is 20"),
    (TEXT, "   ", "empty"),
    (TEXT, 3, "string"),
    (PAIR, "a", "object"),
    (PAIR, {"choice": "c"}, "\"a\" or \"b\""),
    (PAIR, {"choice": "a", "score": 1}, "unknown answer fields"),
])
def test_invalid_answers_are_refused_with_the_reason(raw: object, answer: object,
                                                     message: str) -> None:
    with pytest.raises(InvalidAnswer, match=message):
        parse_schema(raw).validate_answer(answer)


def test_pairwise_tasks_need_a_prompt_and_two_responses() -> None:
    schema = parse_schema(PAIR)
    good = {"prompt": "p", "response_a": "x", "response_b": "y"}
    assert schema.validate_task_data(good) == good
    with pytest.raises(InvalidTaskData, match="response_b"):
        schema.validate_task_data({"prompt": "p", "response_a": "x"})


@pytest.mark.parametrize("data", [[], "text", {}, None])
def test_task_data_must_be_a_non_empty_object(data: object) -> None:
    with pytest.raises(InvalidTaskData):
        parse_schema(SINGLE).validate_task_data(data)


@pytest.mark.parametrize(("raw", "answers", "majority"), [
    (SINGLE, ["pos", "neg", "pos"], "pos"),
    (SINGLE, ["pos", "neg"], None),  # a tie has no majority
    (SINGLE, [], None),
    (MULTI, [["cat"], ["cat", "dog"], ["dog", "bird"]], ["cat", "dog"]),
    (RATING, [4, 4, 2], 4),
    (TEXT, ["a", "a", "b"], "a"),
    (TEXT, ["a", "b", "c"], None),
    (PAIR, [{"choice": "a"}, {"choice": "b", "rationale": "x"}, {"choice": "b"}], "b"),
])
def test_majority_follows_the_schema(raw: object, answers: list[object],
                                     majority: object) -> None:
    assert parse_schema(raw).majority(answers) == majority
