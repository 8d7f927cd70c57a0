#if canImport(Glibc)
import Glibc
#endif
import CZlib
import StratifyCore
@testable import StratifyIngest

// MARK: - Temporary extract folders

/// A fresh folder under /tmp, removed (with its files) when the value goes away.
final class TempFolder {
    let path: String

    init() {
        var template = Array("/tmp/stratify-ingest-tests-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        for name in FileSystem.list(path) { unlink(path + "/" + name) }
        rmdir(path)
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create \(name)")
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            precondition(n > 0, "write failed")
            offset += n
        }
    }

    func write(_ name: String, _ text: String) { write(name, Array(text.utf8)) }

    func remove(_ name: String) { unlink(path + "/" + name) }
}

// MARK: - Fixture rows

let patientsHeader = "patient_id,nhs_number,date_of_birth,sex,date_of_death,practice_code,registration_start_date,lsoa_code,ethnic_category"
let eventsHeader = "patient_id,date,snomedct_code,numeric_value"
let medicationsHeader = "patient_id,date,dmd_code"

/// The as-of date used by the end-to-end tests.
let asOf = Day(year: 2025, month: 6, day: 30)!

/// A valid patients.csv row; override single columns by name.
func patientRow(_ id: String, nhs: String = "", dob: String = "1980-05-17", sex: String = "female",
                death: String = "", practice: String = "M83001", registered: String = "2010-01-01",
                lsoa: String = "E01000001", ethnic: String = "A") -> String {
    [id, nhs, dob, sex, death, practice, registered, lsoa, ethnic].joined(separator: ",")
}

/// Real SNOMED CT concept ids (valid Verhoeff check digits).
let hypertension = "38341003", asthma = "195967001", diabetes = "73211009"

func eventRow(_ id: String, date: String = "2024-01-15", code: String = hypertension, value: String = "") -> String {
    [id, date, code, value].joined(separator: ",")
}

/// Lines joined with LF, with a final LF.
func csv(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

/// Writes patients.csv and clinical_events.csv (and medications.csv if given) into a new folder.
func extract(patients: [String], events: [String], medications: [String]? = nil) -> TempFolder {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader] + patients))
    folder.write("clinical_events.csv", csv([eventsHeader] + events))
    if let medications { folder.write("medications.csv", csv([medicationsHeader] + medications)) }
    return folder
}

// MARK: - Sinks

struct Quarantined: Equatable, CustomStringConvertible {
    var table: ExtractTable
    var line: Int
    var reason: QuarantineReason
    var column: String
    var detail: String
    var record: [UInt8]

    var description: String {
        "\(table.rawValue):\(line) \(reason.code) [\(column)] \(String(decoding: record, as: UTF8.self).debugDescription)"
    }
}

struct CollectingQuarantine: QuarantineSink {
    var entries: [Quarantined] = []
    mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) {
        entries.append(Quarantined(table: table, line: entry.line, reason: entry.reason, column: entry.column,
                                   detail: entry.detail, record: entry.record))
    }

    func of(_ table: ExtractTable) -> [Quarantined] { entries.filter { $0.table == table } }
}

/// One accepted event; the value is compared by bit pattern so NaN (no value) compares equal.
struct AcceptedEvent: Equatable {
    var patient: Int32, date: Int32, code: UInt64, valueBits: UInt64
}

struct AcceptedMedication: Equatable {
    var patient: Int32, date: Int32, code: UInt64
}

struct CollectingSink: ExtractSink {
    var events: [AcceptedEvent] = []
    var medications: [AcceptedMedication] = []

    mutating func consume(events batch: EventBatch, patients: PatientTable) {
        for i in 0..<batch.count {
            events.append(AcceptedEvent(patient: batch.patient[i], date: batch.date[i], code: batch.code[i],
                                        valueBits: batch.value[i].bitPattern))
        }
    }

    mutating func consume(medications batch: MedicationBatch, patients: PatientTable) {
        for i in 0..<batch.count {
            medications.append(AcceptedMedication(patient: batch.patient[i], date: batch.date[i], code: batch.code[i]))
        }
    }
}

// MARK: - Reading

struct Outcome {
    var result: IngestResult
    var quarantine: CollectingQuarantine
    var sink: CollectingSink

    func report(_ table: ExtractTable) -> TableReport? { result.tables.first { $0.table == table } }
    func entries(_ table: ExtractTable) -> [Quarantined] { quarantine.of(table) }
    func reasons(_ table: ExtractTable) -> [QuarantineReason] { quarantine.of(table).map(\.reason) }
}

func read(_ folder: TempFolder, _ configure: (inout IngestOptions) -> Void = { _ in }) throws(StratifyError) -> Outcome {
    try read(path: folder.path, configure)
}

func read(path: String, _ configure: (inout IngestOptions) -> Void = { _ in }) throws(StratifyError) -> Outcome {
    var options = IngestOptions(asOf: asOf, threads: 1)
    configure(&options)
    let reader = try ExtractReader(directory: path, options: options)
    var sink = CollectingSink()
    var quarantine = CollectingQuarantine()
    let result = try reader.read(sink: &sink, quarantine: &quarantine)
    return Outcome(result: result, quarantine: quarantine, sink: sink)
}

/// The error thrown by opening and reading the extract, or nil.
func readError(_ folder: TempFolder, _ configure: (inout IngestOptions) -> Void = { _ in }) -> StratifyError? {
    do {
        _ = try read(folder, configure)
        return nil
    } catch {
        return error
    }
}

// MARK: - Byte buffers

/// Runs `body` over the bytes of `text` as a raw buffer spanning all of it.
func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer, Int, Int) -> T) -> T {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { body($0, 0, $0.count) }
}

func withBytes<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> T) -> T {
    bytes.withUnsafeBytes { body($0) }
}

// MARK: - gzip

/// One gzip member holding `bytes`, made by the system zlib (windowBits 16 + 15: gzip wrapper).
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    let rc = deflateInit2_(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                           Int32(MemoryLayout<z_stream>.size))
    precondition(rc == Z_OK, "deflateInit2_ failed: \(rc)")
    defer { deflateEnd(&stream) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let produced = input.withUnsafeMutableBytes { inp in
        out.withUnsafeMutableBytes { outp in
            stream.next_in = inp.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = UInt32(inp.count)
            stream.next_out = outp.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(outp.count)
            let status = deflate(&stream, Z_FINISH)
            precondition(status == Z_STREAM_END, "deflate did not finish: \(status)")
            return outp.count - Int(stream.avail_out)
        }
    }
    return Array(out[0..<produced])
}
