import Foundation
import StratifyCore
import StratifyPipeline

/// Monthly measure intervals against a single-date run (issue 14 item 5; docs/measures.md,
/// "Month by month"): the same pipeline and extract, once with the shipped measures and once with
/// every achievement measure also asking for `months` monthly intervals, in alternating rounds.
/// The interval measures live in a copy of the reference folder
/// (`output/bench/reference-intervals-<months>/`), as an analyst would add them: a measure file,
/// no rebuild.
struct IntervalsBenchmark {
    let patients: Int
    let months: Int
    let rounds: Int
    let pipeline: String
    let referenceDirectory: String?

    func run() throws(StratifyError) {
        var single = try PipelineDefinition(path: pipeline)
        single.chooseReference(flag: referenceDirectory)
        var monthly = single
        monthly.reference = try intervalReference(from: single.reference)
        print("machine: \(Machine.describe()); pipeline \(pipeline); \(patients) patients; \(months) monthly intervals; "
              + "\(rounds) alternating round(s), medians; MB = 10^6 bytes")
        // Patient order: the interval engines read the same rows whatever their order, and this
        // measures what intervals add, not what row order costs (BENCHMARKS.md has that).
        let data = IngestBenchmark.defaultDirectory(patients: patients, order: .patient, eventsPerPatientScale: 1)
        var ingest = IngestBenchmark(patients: patients, runs: 1, threads: 1, dataDirectory: data, referenceDirectory: referenceDirectory)
        ingest.order = .patient
        try ingest.ensureExtract()
        let bench = PipelineBenchmark(sizes: [patients], eventScales: [1], runs: 1, pipeline: pipeline, dataDirectory: data,
                                      referenceDirectory: referenceDirectory)
        var a: [PipelineBenchmark.Measurement] = [], b: [PipelineBenchmark.Measurement] = []
        for round in 1...rounds {
            a.append(try bench.measure(single, extract: data, patients: patients, scale: 1))
            b.append(try bench.measure(monthly, extract: data, patients: patients, scale: 1))
            print("round \(round): single \(fmt(a.last!.seconds, 2)) s, \(fmt(Double(a.last!.peakRSS) / 1e6, 0)) MB; "
                  + "\(months) intervals \(fmt(b.last!.seconds, 2)) s, \(fmt(Double(b.last!.peakRSS) / 1e6, 0)) MB")
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        let wall = (median(a.map(\.seconds)), median(b.map(\.seconds)))
        let cpu = (median(a.map(\.cpuSeconds)), median(b.map(\.cpuSeconds)))
        let rss = (median(a.map { Double($0.peakRSS) }), median(b.map { Double($0.peakRSS) }))
        print("")
        print("run".padded(28) + "wall s".padded(10) + "CPU s".padded(10) + "peak RSS MB")
        print("single date".padded(28) + fmt(wall.0, 2).padded(10) + fmt(cpu.0, 2).padded(10) + fmt(rss.0 / 1e6, 0))
        print("\(months) monthly intervals".padded(28) + fmt(wall.1, 2).padded(10) + fmt(cpu.1, 2).padded(10) + fmt(rss.1 / 1e6, 0))
        print("ratio".padded(28) + fmt(wall.1 / wall.0, 2).padded(10) + fmt(cpu.1 / cpu.0, 2).padded(10) + fmt(rss.1 / rss.0, 2))
        print("targets: wall <= 3x, peak RSS <= 2x")
        print("\nstages of the interval run (last round):")
        for (stage, s) in b.last!.stages { print(stage.padded(54) + fmt(s, 3)) }
    }

    /// A copy of the reference folder with `zz_bench_intervals.json`: each measure of
    /// `measures/achievement.json` again, named `<name>_monthly`, with monthly intervals.
    func intervalReference(from reference: String) throws(StratifyError) -> String {
        let target = "output/bench/reference-intervals-\(months)"
        let fm = FileManager.default
        do {
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.createDirectory(atPath: "output/bench", withIntermediateDirectories: true)
            try fm.copyItem(atPath: reference, toPath: target)
            let data = try Data(contentsOf: URL(fileURLWithPath: reference + "/measures/achievement.json"))
            guard var file = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let measures = file["measures"] as? [[String: Any]] else { throw CocoaError(.fileReadCorruptFile) }
            file["measures"] = measures.map { m -> [String: Any] in
                var m = m
                m["name"] = (m["name"] as? String ?? "m") + "_monthly"
                m["intervals"] = ["every": "month", "count": months]
                return m
            }
            file.removeValue(forKey: "rule_sets")
            try JSONSerialization.data(withJSONObject: file, options: [.sortedKeys])
                .write(to: URL(fileURLWithPath: target + "/measures/zz_bench_intervals.json"))
        } catch {
            throw StratifyError(.runFailed, "cannot prepare \(target): \(error)")
        }
        return target
    }
}
