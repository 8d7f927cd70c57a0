import FuzzSupport

Fuzz.run(fuzzRules)
