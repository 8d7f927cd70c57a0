"""Shared helpers for the reference-data scripts (standard library only)."""

# Verhoeff check digit, as SNOMED CT and dm+d ids use it.
_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
      [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
      [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
      [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
      [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
      [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
      [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
      [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]


def verhoeff_ok(code):
    """True when ``code`` is all digits and its last digit is a valid Verhoeff check digit."""
    if not code.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(code)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


# The 35 eFI code-list deficits (Clegg et al. 2016), as named in the GM-SDE code sets.
EFI_DEFICITS = [
    "activity-limitation", "anaemia", "arthritis", "atrial-fibrillation",
    "care-requirement", "chd", "ckd", "cognitive-problems", "diabetes",
    "dizziness", "dyspnoea", "falls", "foot-problems", "fragility-fracture",
    "hearing-loss", "heart-failure", "heart-valve-disease", "housebound",
    "hypertension", "hypotension", "mobility-problems", "osteoporosis",
    "parkinsons", "peptic-ulcer", "pvd", "respiratory-disease", "skin-ulcer",
    "sleep-disturbance", "social-vulnerability", "stroke-tia",
    "thyroid-disorders", "urinary-incontinence", "urinary-system-disease",
    "vision-problems", "weight-loss",
]
