"""Fleiss' kappa and agreement with the agreed verdicts (callqa.qa.calibration), on examples
worked by hand."""
from __future__ import annotations

import pytest

from callqa.qa.calibration import agreement_with, fleiss_kappa

P, F, NA = "passed", "failed", "not_applicable"


def test_kappa_on_a_small_example_worked_by_hand():
    """3 graders, 4 subjects:

        subject   verdicts      n_P n_F   P_i = (n_P² + n_F² - 3) / 6
        1         P P P          3   0    (9 + 0 - 3) / 6 = 1
        2         P P F          2   1    (4 + 1 - 3) / 6 = 1/3
        3         F F F          0   3    1
        4         P F F          1   2    1/3

    mean P_i = (1 + 1/3 + 1 + 1/3) / 4 = 2/3; p_P = 6/12 = 1/2, p_F = 1/2, so chance is
    1/4 + 1/4 = 1/2 and kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3."""
    ratings = [[P, P, P], [P, P, F], [F, F, F], [P, F, F]]
    assert fleiss_kappa(ratings) == pytest.approx(1 / 3)


def test_kappa_on_the_published_example():
    """Fleiss (1971) as in most references: 10 subjects, 14 raters, 5 categories, where mean
    P_i = 0.378, chance 0.213 and kappa 0.210."""
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
             [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
             [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    ratings = [[str(category) for category, n in enumerate(row) for _ in range(n)]
               for row in table]
    assert fleiss_kappa(ratings) == pytest.approx(0.2099, abs=5e-4)


def test_perfect_agreement_is_one_and_systematic_disagreement_below_zero():
    assert fleiss_kappa([[P, P], [F, F], [NA, NA]]) == pytest.approx(1.0)
    # two graders who always disagree: each P_i = 0, chance 1/2: kappa = -1
    assert fleiss_kappa([[P, F], [F, P]]) == pytest.approx(-1.0)


def test_kappa_is_undefined_without_two_graders_or_with_one_category():
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([[P], [F]]) is None
    assert fleiss_kappa([[P, P, P], [P, P, P]]) is None  # chance agreement is 1
    with pytest.raises(ValueError, match="every grader"):
        fleiss_kappa([[P, P], [P]])


def test_agreement_with_the_agreed_verdicts():
    agreed = {"a": P, "b": F, "c": NA}
    assert agreement_with({"a": P, "b": P, "c": NA, "d": F}, agreed).rate == pytest.approx(2 / 3)
    partial = agreement_with({"a": P, "b": P}, {"a": P})
    assert (partial.matched, partial.compared, partial.rate) == (1, 1, 1.0)
    assert agreement_with({"a": P}, {}).rate is None
