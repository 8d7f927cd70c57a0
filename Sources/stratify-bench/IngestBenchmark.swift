#if canImport(Glibc)
import Glibc
import CMalloc
#endif
import StratifyCore
import StratifyIngest
import StratifyPipeline
import StratifySynth

/// Counts quarantined rows without writing them, so the benchmark measures parsing.
struct CountingQuarantine: QuarantineSink {
    var count = 0
    mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) { count += 1 }
}

struct IngestBenchmark {
    let patients: Int
    let runs: Int
    let threads: Int
    let dataDirectory: String
    let referenceDirectory: String?
    /// Row order of the events and medications (`synth --order`): shuffled unless asked, the
    /// order least favourable to the reader.
    var order = RowOrder.shuffled
    /// `synth --events-per-patient-scale`.
    var eventsPerPatientScale = 1

    /// `output/bench/ingest-<n>`, then `-<order>` unless patient order (the extracts of earlier
    /// benchmarks), then `-epp<k>` for a scaled history.
    static func defaultDirectory(patients: Int, order: RowOrder, eventsPerPatientScale: Int) -> String {
        "output/bench/ingest-\(patients)" + (order == .patient ? "" : "-\(order.rawValue)")
            + (eventsPerPatientScale == 1 ? "" : "-epp\(eventsPerPatientScale)")
    }

    func run() throws(StratifyError) {
        try ensureExtract()
        let bytes = ExtractTable.allCases.compactMap { FileSystem.fileSize("\(dataDirectory)/\($0.rawValue).csv") }.reduce(0, +)
        print("machine: \(Machine.describe())")
        print("extract: \(patients) patients, \(Terminal.mb(bytes)) MB of CSV in \(dataDirectory)")
        print("")
        print("tokenizer".padded(10) + "threads".padded(9) + "seconds".padded(10) + "MB/s".padded(9) + "Mrows/s".padded(9)
              + "peak RSS MB".padded(13) + "RSS bytes/patient")
        var rows = 0
        for (kind, threadCount, repeats) in [(TokenizerKind.scalar, threads, 1), (.swar, 1, 1), (.swar, threads, runs)] {
            var times: [Double] = []
            var peak = 0
            for _ in 0..<repeats {
                Machine.resetPeakRSS()
                var options = IngestOptions(asOf: SynthOptions.defaultAsOf, threads: threadCount)
                options.tokenizer = kind
                let t0 = MonotonicClock.now()
                let reader = try ExtractReader(directory: dataDirectory, options: options)
                var sink = DiscardingSink()
                var quarantine = CountingQuarantine()
                let result = try reader.read(sink: &sink, quarantine: &quarantine)
                times.append(MonotonicClock.seconds(since: t0))
                peak = max(peak, Machine.peakRSS())
                rows = result.tables.map(\.rowsRead).reduce(0, +)
            }
            let median = times.sorted()[times.count / 2]
            print(kind.rawValue.padded(10) + String(threadCount).padded(9) + fmt(median, 3).padded(10)
                  + fmt(Double(bytes) / 1e6 / median, 0).padded(9) + fmt(Double(rows) / 1e6 / median, 1).padded(9)
                  + fmt(Double(peak) / 1_048_576, 0).padded(13) + String(peak / patients))
        }
        print("\nrows read: \(rows) (MB = 10^6 bytes)")
    }

    func ensureExtract() throws(StratifyError) {
        if FileSystem.exists(dataDirectory + "/synth_manifest.json") { return }
        print("generating \(patients) synthetic patients (\(order.rawValue) order, events per patient x\(eventsPerPatientScale)) into \(dataDirectory) ...")
        let reference = try ReferenceLocator.locate(referenceDirectory)
        var options = SynthOptions(patients: patients, seed: 42, outputDirectory: dataDirectory)
        options.defectRate = 0.001
        options.order = order
        options.eventsPerPatientScale = eventsPerPatientScale
        let s = try SyntheticExtract(options: options, reference: reference).write()
        print("generated in \(fmt(s.seconds, 1)) s")
    }
}

func fmt(_ v: Double, _ decimals: Int) -> String {
    var p = 1.0
    for _ in 0..<decimals { p *= 10 }
    return JSON.format((v * p).rounded() / p)
}

enum Terminal {
    static func mb(_ bytes: Int64) -> String { fmt(Double(bytes) / 1e6, 0) }
}

extension String {
    func padded(_ w: Int) -> String { count >= w ? self + " " : self + String(repeating: " ", count: w - count) }
}

/// Linux process facts for the report.
enum Machine {
    /// Resets the kernel's peak-RSS counter (VmHWM) so each run is measured on its own. The reset
    /// sets the peak to the current RSS, and glibc keeps freed heap pages (synthesis of a new
    /// extract, an earlier run) in its arenas, so they are handed back first: without that, a
    /// ×4 run measured after synthesizing its extract in the same process read 356 MB where a
    /// fresh `stratify run` of it peaks at 285 MB.
    static func resetPeakRSS() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        if fd >= 0 { _ = write(fd, "5", 1); close(fd) }
    }

    /// User + system CPU time of this process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// VmHWM from /proc/self/status, in bytes.
    static func peakRSS() -> Int {
        guard let bytes = try? FileSystem.readAll("/proc/self/status") else { return ProcessInfoLite.peakRSS }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:\t  432608 kB": the kernel pads the number to 8 characters after the tab, so
            // from 10 GB on there is no space before it and a split on spaces alone read 0.
            let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return ProcessInfoLite.peakRSS
    }

    static func describe() -> String {
        var model = "unknown CPU"
        if let info = try? FileSystem.readAll("/proc/cpuinfo") {
            let text = String(decoding: info, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
                model = line.split(separator: ":", maxSplits: 1).last.map { String($0).trimmed() } ?? model
            }
        }
        return "\(model), \(ProcessInfoLite.activeProcessorCount) cores"
    }
}


func sha256Benchmark() {
    let buffer = [UInt8](repeating: 0x61, count: 64 << 20)
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = MonotonicClock.now()
        var h = SHA256()
        buffer.withUnsafeBytes { h.update($0) }
        _ = h.finalize()
        best = min(best, MonotonicClock.seconds(since: t0))
    }
    print("sha256: \(fmt(Double(buffer.count) / 1e6 / best, 0)) MB/s")
}
