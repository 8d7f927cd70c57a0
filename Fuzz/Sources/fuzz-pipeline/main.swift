import FuzzSupport

Fuzz.run(fuzzPipeline)
