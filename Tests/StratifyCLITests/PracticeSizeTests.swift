import Foundation
import StratifyPipeline
import StratifyReference
@testable import StratifySynth
import Testing

/// Real-sized practices (`synth --list-size`, the demo; docs/synth.md): patients in as many of
/// the ICB's practices as give about N each, not spread thinly over all 175.
@Suite("Synthetic practice sizes")
struct PracticeSizeTests {
    /// Patients per practice code in a synthesized extract.
    func practiceCounts(_ extra: [String], patients: Int = 3000) throws -> [String: Int] {
        try withTemporaryDirectory("practice-sizes") { dir in
            let out = dir.appendingPathComponent("extract").path
            let r = try stratify(["synth", "--patients", String(patients), "--seed", "3", "--out", out, "--reference", Paths.reference, "--quiet"] + extra)
            guard r.status == 0 else { throw CLIError(description: "\(r)") }
            let lines = try String(contentsOfFile: out + "/patients.csv", encoding: .utf8).split(separator: "\n")
            let header = lines[0].split(separator: ",").map(String.init)
            let column = try #require(header.firstIndex(of: "practice_code"))
            var counts: [String: Int] = [:]
            // Synthetic patient rows quote nothing before the practice column.
            for line in lines.dropFirst() { counts[String(line.split(separator: ",", omittingEmptySubsequences: false)[column]), default: 0] += 1 }
            return counts
        }
    }

    @Test func aListSizePutsPatientsInAboutPatientsOverListSizePractices() throws {
        let counts = try practiceCounts(["--list-size", "1000"])
        #expect((2...5).contains(counts.count), "\(counts)")
    }

    @Test func everyChosenPracticeIsNearTheListSize() throws {
        let counts = try practiceCounts(["--list-size", "1000"])
        #expect(counts.values.allSatisfy { (400...1600).contains($0) }, "\(counts)")
    }

    @Test func withoutAListSizePatientsAreSpreadOverTheWholeICB() throws {
        let counts = try practiceCounts([])
        #expect(counts.count > 150, "\(counts.count) practices")
    }

    @Test func theDemosPracticesAre7Of5000To10000PatientsInTwoNeighbourhoods() throws {
        let table = try PracticeTable(path: Paths.reference + "/practices/north_central_london.csv")
        let mix = PracticeMix(practices: table.practices, patients: Demo.defaultPatients, listSize: Demo.listSize)
        #expect((6...8).contains(mix.codes.count), "\(mix.codes.count) practices")
        var previous = 0
        let total = mix.cumulative.last!
        for c in mix.cumulative {
            let expected = Demo.defaultPatients * (c - previous) / total
            #expect((5_000...10_000).contains(expected), "a practice of \(expected) patients")
            previous = c
        }
        let chosen = Set(mix.codes.map { String(decoding: $0, as: UTF8.self) })
        let neighbourhoods = Set(table.practices.filter { chosen.contains($0.code) }.map(\.neighbourhood))
        #expect(neighbourhoods.count >= 2, "\(neighbourhoods)")
    }
}
