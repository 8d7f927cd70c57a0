import FuzzSupport

Fuzz.run(fuzzCohort)
