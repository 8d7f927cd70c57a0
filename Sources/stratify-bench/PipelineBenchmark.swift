#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifyPipeline
import StratifySynth

/// The whole pipeline (`stratify run PIPELINE` on a synthetic extract), timed per stage through
/// the library's own `StageTimings` hooks, with throughput, peak RSS and how cost grows with
/// patients (`--sizes`) and with events per patient (`--events-scale`).
///
/// Each run writes into a fresh output root under `output/bench/` (removed afterwards: at 1.2M
/// patients a run's folder is about 600 MB), so every run is a first run with an empty history.
struct PipelineBenchmark {
    let sizes: [Int]
    let eventScales: [Int]
    let runs: Int
    let pipeline: String
    let dataDirectory: String?
    let referenceDirectory: String?
    var order = RowOrder.shuffled
    /// `synth --events-per-patient-scale` values: each a separate extract, copies on other dates.
    var historyScales = [1]
    /// Set in a child process (`--result-file`): where it writes its one measurement.
    var resultFile: String?

    /// One measured run.
    struct Measurement {
        var patients: Int
        var eventScale: Int
        var seconds: Double
        /// User + system CPU seconds of the process: less disturbed than wall time when other
        /// work shares the machine.
        var cpuSeconds: Double
        var bytes: Int64
        var rows: Int
        var events: Int
        var peakRSS: Int
        var stages: [(stage: String, seconds: Double)]

        /// Tab-separated lines for a parent process: the numbers, then one line per stage.
        var encoded: String {
            "\(patients)\t\(eventScale)\t\(seconds)\t\(cpuSeconds)\t\(bytes)\t\(rows)\t\(events)\t\(peakRSS)\n"
                + stages.map { "\($0.stage)\t\($0.seconds)\n" }.joined()
        }

        init(patients: Int, eventScale: Int, seconds: Double, cpuSeconds: Double, bytes: Int64, rows: Int, events: Int,
             peakRSS: Int, stages: [(stage: String, seconds: Double)]) {
            (self.patients, self.eventScale, self.seconds, self.cpuSeconds) = (patients, eventScale, seconds, cpuSeconds)
            (self.bytes, self.rows, self.events, self.peakRSS, self.stages) = (bytes, rows, events, peakRSS, stages)
        }

        init?(decoding bytes: [UInt8]) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            guard let n = lines.first, n.count == 8, let p = Int(n[0]), let e = Int(n[1]), let s = Double(n[2]), let c = Double(n[3]),
                  let b = Int64(n[4]), let r = Int(n[5]), let ev = Int(n[6]), let rss = Int(n[7]) else { return nil }
            let stages = lines.dropFirst().compactMap { l in l.count == 2 ? Double(l[1]).map { (l[0], $0) } : nil }
            self.init(patients: p, eventScale: e, seconds: s, cpuSeconds: c, bytes: b, rows: r, events: ev, peakRSS: rss, stages: stages)
        }
    }

    func run() throws(StratifyError) {
        var definition = try PipelineDefinition(path: pipeline)
        // The reference folder by the CLI's precedence (docs/pipelines.md, Paths).
        definition.chooseReference(flag: referenceDirectory)
        if resultFile == nil { print("machine: \(Machine.describe()); pipeline \(pipeline); \(order.rawValue) order; median of \(runs) run(s); MB = 10^6 bytes") }
        var results: [Measurement] = []
        for n in sizes {
            for history in historyScales {
            for scale in eventScales {
                let base = dataDirectory ?? IngestBenchmark.defaultDirectory(patients: n, order: order, eventsPerPatientScale: history)
                var ingest = IngestBenchmark(patients: n, runs: 1, threads: 1, dataDirectory: base, referenceDirectory: referenceDirectory)
                ingest.order = order
                ingest.eventsPerPatientScale = history
                try ingest.ensureExtract()
                let directory = scale == 1 ? base : try PipelineBenchmark.scaledEvents(base, by: scale)
                var samples: [Measurement] = []
                for _ in 0..<runs {
                    let combinations = sizes.count * historyScales.count * eventScales.count
                    samples.append(combinations > 1
                        ? try measureInChild(extract: directory, patients: n, scale: scale * history)
                        : try measure(definition, extract: directory, patients: n, scale: scale * history))
                }
                results.append(samples.sorted { $0.seconds < $1.seconds }[samples.count / 2])
                if let resultFile {
                    try OutputFile.write(Array(results.last!.encoded.utf8), to: resultFile, patientLevel: false)
                    return
                }
                printRun(results.last!)
            }
            }
        }
        if results.count > 1 { printScaling(results) }
    }

    func measure(_ definition: PipelineDefinition, extract: String, patients: Int, scale: Int) throws(StratifyError) -> Measurement {
        let root = "output/bench/pipeline-run"
        try FileSystem.removeTree(root)
        let timings = StageTimings()
        Machine.resetPeakRSS()
        let cpu0 = Machine.cpuSeconds()
        let t0 = MonotonicClock.now()
        let outcome: Result<PipelineRun.Result, StratifyError> = StageTimings.$current.withValue(timings) {
            Result(catching: { () throws(StratifyError) in try PipelineRun(definition: definition, extract: extract, outputRoot: root).run() })
        }
        let seconds = MonotonicClock.seconds(since: t0)
        let cpu = Machine.cpuSeconds() - cpu0
        let peak = Machine.peakRSS()
        let result = try outcome.get()
        try FileSystem.removeTree(root)
        let tables = result.outcome.result.tables
        var stages = timings.entries
        stages.append(("other (reference data, rule set, lock, history read)", seconds - stages.map(\.seconds).reduce(0, +)))
        return Measurement(patients: patients, eventScale: scale, seconds: seconds, cpuSeconds: cpu, bytes: tables.map(\.fileBytes).reduce(0, +),
                           rows: tables.map(\.rowsRead).reduce(0, +),
                           events: tables.first { $0.table == .clinicalEvents }?.rowsRead ?? 0, peakRSS: peak, stages: stages)
    }

    /// One run in a fresh `stratify-bench` process, when a table compares several extracts. Peak
    /// RSS is only comparable that way: glibc keeps the pages an earlier run (or the synthesis of
    /// the next extract) freed, and the kernel's peak counter, reset, restarts from them. In one
    /// process the 100k ×1/×2/×4 table read 257/320/328 MB; in fresh processes 256/268/287 MB.
    func measureInChild(extract: String, patients: Int, scale: Int) throws(StratifyError) -> Measurement {
        let file = "output/bench/pipeline-child-\(getpid()).txt"
        var arguments = [PipelineBenchmark.executable(), "pipeline", "--patients", String(patients), "--data", extract,
                         "--runs", "1", "--pipeline", pipeline, "--result-file", file]
        if let referenceDirectory { arguments += ["--reference", referenceDirectory] }
        let status = try ChildProcess.run(arguments)
        guard status == 0, var m = Measurement(decoding: try FileSystem.readAll(file)) else {
            throw StratifyError(.runFailed, "the child stratify-bench for \(extract) failed (wait status \(status))")
        }
        try FileSystem.removeTree(file)
        m.eventScale = scale
        return m
    }

    static func executable() -> String {
        realPath("/proc/self/exe")
    }

    func printRun(_ m: Measurement) {
        print("")
        print("\(m.patients) patients, \(m.events) events (x\(m.eventScale)), \(m.rows) rows, \(fmt(Double(m.bytes) / 1e6, 0)) MB of CSV")
        print("stage".padded(54) + "seconds".padded(10) + "share")
        for (stage, s) in m.stages {
            print(stage.padded(54) + fmt(s, 3).padded(10) + fmt(100 * s / m.seconds, 1) + "%")
        }
        print("whole pipeline".padded(54) + fmt(m.seconds, 3).padded(10) + "100%  (CPU \(fmt(m.cpuSeconds, 2)) s)")
        print("\(fmt(Double(m.bytes) / 1e6 / m.seconds, 0)) MB/s, \(fmt(Double(m.rows) / 1e6 / m.seconds, 2)) M rows/s, "
              + "peak RSS \(fmt(Double(m.peakRSS) / 1e6, 0)) MB (\(m.peakRSS / m.patients) bytes per patient)")
    }

    /// Cost per patient and per row at each size: flat columns mean linear growth.
    func printScaling(_ results: [Measurement]) {
        print("\nscaling")
        print("patients".padded(10) + "events".padded(8) + "M rows".padded(8) + "CSV MB".padded(8) + "seconds".padded(9) + "MB/s".padded(7)
              + "Mrows/s".padded(9) + "CPU s".padded(8) + "peak MB".padded(9) + "B/patient".padded(11) + "us/patient".padded(12) + "ns/row")
        for m in results {
            print(String(m.patients).padded(10) + "x\(m.eventScale)".padded(8) + fmt(Double(m.rows) / 1e6, 1).padded(8)
                  + fmt(Double(m.bytes) / 1e6, 0).padded(8) + fmt(m.seconds, 2).padded(9)
                  + fmt(Double(m.bytes) / 1e6 / m.seconds, 0).padded(7) + fmt(Double(m.rows) / 1e6 / m.seconds, 2).padded(9)
                  + fmt(m.cpuSeconds, 1).padded(8) + fmt(Double(m.peakRSS) / 1e6, 0).padded(9) + String(m.peakRSS / m.patients).padded(11)
                  + fmt(m.seconds * 1e6 / Double(m.patients), 1).padded(12) + fmt(m.seconds * 1e9 / Double(m.rows), 1))
        }
    }

    /// The same patients with every clinical event repeated `k` times (the synthesizer has no
    /// events-per-patient setting): `output/bench/ingest-<n>-events-x<k>/`, made once. Patients and
    /// medications are symbolic links to the base extract. Repeated events are valid rows, so this
    /// changes only the event volume (counts in the outputs change; the benchmark does not check them).
    static func scaledEvents(_ base: String, by k: Int) throws(StratifyError) -> String {
        let directory = "\(base)-events-x\(k)"
        let events = directory + "/clinical_events.csv"
        if FileSystem.exists(events) { return directory }
        print("writing \(directory) (clinical events x\(k)) ...")
        try FileSystem.makeDirectories(directory, mode: 0o700)
        for name in ["patients.csv", "medications.csv", "synth_manifest.json"] where FileSystem.exists(base + "/" + name) {
            _ = symlink(realPath(base + "/" + name), directory + "/" + name)
        }
        let source = try FileSystem.readAll(base + "/clinical_events.csv")
        let headerEnd = (source.firstIndex(of: 0x0A) ?? (source.count - 1)) + 1
        let out = try OutputFile(path: events, patientLevel: true)
        try out.write(source[0..<headerEnd])
        for _ in 0..<k { try out.write(source[headerEnd...]) }
        try out.commit()
        return directory
    }

    static func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }
}
