import StratifyCore
@testable import StratifyIngest

/// What the reader should report for one quarantined row.
struct ExpectedEntry: Equatable, CustomStringConvertible {
    var table: ExtractTable, line: Int, reason: QuarantineReason, column: String
    var description: String { "\(table.rawValue):\(line) \(reason.code) [\(column)]" }
}

/// A reproducible extract with defects at known lines, and the accepted rows it must yield.
/// Built row by row here, so every expectation comes from how the file was written.
struct GeneratedExtract {
    var patients: [UInt8] = []
    var events: [UInt8] = []
    var medications: [UInt8] = []
    var expected: [ExpectedEntry] = []
    var acceptedEvents: [AcceptedEvent] = []
    var acceptedMedications: [AcceptedMedication] = []

    /// - Parameter blobLines: line feeds inside one quoted field placed mid-file, so it straddles
    ///   the reader's chunk and block boundaries whatever their sizes; each of its lines must be
    ///   read as a bad row of its own.
    init(seed: UInt64, patientCount: Int, eventCount: Int, medicationCount: Int, blobLines: Int) {
        var rng = SeededRandom(seed: seed)
        let codes: [(String, UInt64)] = [(hypertension, 38_341_003), (asthma, 195_967_001), (diabetes, 73_211_009),
                                         ("44054006", 44_054_006), ("271649006", 271_649_006)]

        // patients.csv: ids P00000...; a few invalid rows and duplicates.
        patients = Array((patientsHeader + "\n").utf8)
        var ids: [String] = []
        var acceptedIndex: [String: Int32] = [:]
        var line = 2
        for i in 0..<patientCount {
            let id = "P" + pad(i, 5)
            let dob = Day(year: 1930 + rng.below(80), month: 1 + rng.below(12), day: 1 + rng.below(28))!
            if i % 89 == 7 {
                patients += Array(csv([patientRow(id, dob: "1899-12-31")]).utf8)
                expected.append(.init(table: .patients, line: line, reason: .invalidValue, column: "date_of_birth"))
            } else {
                let sex = ["F", "male", "Female", "u", "I"][rng.below(5)]
                patients += Array(csv([patientRow(id, dob: dob.description, sex: sex, practice: ["M83001", "Y01234"][i % 2])]).utf8)
                acceptedIndex[id] = Int32(acceptedIndex.count)
            }
            ids.append(id)
            line += 1
            if i % 97 == 5 {
                // A duplicate of an accepted id: the first row wins.
                let dup = ids[rng.below(ids.count)]
                if acceptedIndex[dup] != nil {
                    patients += Array(csv([patientRow(dup)]).utf8)
                    expected.append(.init(table: .patients, line: line, reason: .duplicatePatientID, column: "patient_id"))
                    line += 1
                }
            }
        }

        // clinical_events.csv.
        events = Array((eventsHeader + "\n").utf8)
        line = 2
        let quotesEnd = eventCount - 50  // no quote after the unterminated one near the end
        for n in 0..<eventCount {
            let id = ids[rng.below(ids.count)]
            let (codeText, code) = codes[rng.below(codes.count)]
            let day = Day(year: 2015 + rng.below(11), month: 1 + rng.below(12), day: 1 + rng.below(28))!
            let value = rng.chance(0.4) ? "" : String(rng.below(3000)) + (rng.chance(0.5) ? "." + String(rng.below(100)) : "")
            let ending = rng.chance(0.1) ? "\r\n" : "\n"
            var record: [UInt8]
            var entry: (QuarantineReason, String)?
            var lineFeeds = 1
            if n == eventCount / 2 {
                record = Array("\(id),\(day),\"".utf8) + Array(String(repeating: "ab\n", count: blobLines).utf8)
                    + Array("\",\(value)".utf8)
                entry = (.fieldCount, "")
                lineFeeds += blobLines
            } else if n == quotesEnd {
                record = Array("\(id),\(day),\"\(codeText),\(value)".utf8)
                entry = (.fieldCount, "")
            } else if n % 211 == 3 {
                record = Array(eventRow(id, date: day.description, code: "38341004", value: value).utf8)
                entry = (.invalidSNOMEDCheckDigit, "snomedct_code")
            } else if n % 307 == 5 {
                record = Array(eventRow(id, date: "2024-02-30", code: codeText, value: value).utf8)
                entry = (.invalidValue, "date")
            } else if n % 401 == 7 {
                record = []
                entry = (.fieldCount, "")
            } else if n % 173 == 11 && n < quotesEnd {
                let inside = 1 + rng.below(4)
                record = Array("\(id),\(day),\"\(codeText)".utf8) + Array(String(repeating: "\n", count: inside).utf8)
                    + Array("\",\(value)".utf8)
                entry = (.fieldCount, "")
                lineFeeds += inside
            } else if n % 601 == 13 {
                record = Array(eventRow(id, date: day.description, code: codeText, value: "1").utf8) + [0xFF]
                entry = (.invalidUTF8, "")
            } else if n % 701 == 17 {
                record = Array(eventRow(id, date: "", code: codeText, value: value).utf8)
                entry = (.missingRequired, "date")
            } else {
                let quoted = n < quotesEnd && rng.chance(0.05)
                let idText = quoted ? "\"\(id)\"" : id
                record = Array(eventRow(idText, date: day.description, code: codeText, value: value).utf8)
                if let patient = acceptedIndex[id] {
                    acceptedEvents.append(AcceptedEvent(patient: patient, date: day.rawValue, code: code,
                                                        valueBits: (value.isEmpty ? Double.nan : Double(value)!).bitPattern))
                } else {
                    entry = (.unknownPatientID, "patient_id")
                }
            }
            events += record + Array(ending.utf8)
            if let (reason, column) = entry {
                // Records never span lines: a record written across lines is one bad row per line.
                for k in 0..<lineFeeds {
                    expected.append(.init(table: .clinicalEvents, line: line + k, reason: reason, column: column))
                }
            }
            line += lineFeeds
        }

        // medications.csv: no quotes; a few short codes and unknown patients.
        medications = Array((medicationsHeader + "\n").utf8)
        line = 2
        for n in 0..<medicationCount {
            let id = ids[rng.below(ids.count)]
            let day = Day(year: 2020 + rng.below(6), month: 1 + rng.below(12), day: 1 + rng.below(28))!
            let code = UInt64(100_000 + rng.below(900_000_000))
            let text = n % 157 == 9 ? "12345" : String(code)
            medications += Array("\(id),\(day),\(text)\n".utf8)
            if n % 157 == 9 {
                expected.append(.init(table: .medications, line: line, reason: .invalidValue, column: "dmd_code"))
            } else if let patient = acceptedIndex[id] {
                acceptedMedications.append(AcceptedMedication(patient: patient, date: day.rawValue, code: code))
            } else {
                expected.append(.init(table: .medications, line: line, reason: .unknownPatientID, column: "patient_id"))
            }
            line += 1
        }
    }

    func write(to folder: TempFolder) {
        folder.write("patients.csv", patients)
        folder.write("clinical_events.csv", events)
        folder.write("medications.csv", medications)
    }
}

private func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}
