import StratifyCore

/// Locates the `reference/` folder and loads what is asked of it.
public struct ReferenceData: Sendable {
    public let root: String

    public init(root: String) throws(StratifyError) {
        guard FileSystem.isDirectory(root + "/codelists") else {
            throw StratifyError(.usage, "reference folder '\(root)' has no codelists/ folder",
                                help: "pass --reference DIR or set STRATIFY_REFERENCE (a pipeline's \"reference\" is relative to the pipeline file)")
        }
        self.root = root
    }

    /// The shipped ICB's practice, PCN and neighbourhood table (NHS North Central London), and
    /// its LSOA 2011 codes: one place names them (reference/README.md).
    public var practicesPath: String { root + "/practices/north_central_london.csv" }
    public var icbLSOAPath: String { root + "/practices/north_central_london_lsoa11.txt" }

    /// A handle that was not checked (for code that resolves no files).
    public static func unchecked(root: String) throws(StratifyError) -> ReferenceData { ReferenceData(uncheckedRoot: root) }

    private init(uncheckedRoot: String) { root = uncheckedRoot }

    /// `reference/codelists/<name>.csv`; `name` may include a subfolder (`efi/falls`).
    public func codeList(_ name: String) throws(StratifyError) -> CodeList {
        let path = "\(root)/codelists/\(name).csv"
        guard FileSystem.exists(path) else {
            throw StratifyError(.runFailed, "reference code list '\(path)' is missing",
                                help: "restore it from git, or regenerate with reference/scripts/curate.py")
        }
        return try CodeList(name: name, path: path)
    }

    /// Code-list names in a subfolder of codelists/ (e.g. the 35 eFI deficits), sorted.
    public func codeListNames(in folder: String) -> [String] {
        FileSystem.list(root + "/codelists/" + folder).filter { $0.hasSuffix(".csv") }.sorted()
            .map { folder + "/" + String($0.dropLast(4)) }
    }
}

/// IMD deciles by LSOA (`lsoa_code,imd_decile,imd_rank`).
public struct IMDTable: Sendable {
    public let path: String
    /// LSOA digits (after "E01") → decile 1–10 (1 = most deprived). After `bridged`, also the
    /// other vintage's codes that the best-fit lookup gives a decile.
    public private(set) var decile: [Int32: UInt8]
    /// Codes of the other LSOA vintage only (in its IMD table, not in this one's) that `decile`
    /// answers through the lookup, and those it cannot answer: what the vintage warning counts.
    public private(set) var bridgedCodes: Set<Int32> = []
    public private(set) var otherVintageUnmapped: Set<Int32> = []
    /// The LSOA vintage the table is published on, once `bridged` has been told it.
    public private(set) var vintage: Vintage?

    public init(path: String) throws(StratifyError) {
        let csv = try ReferenceCSV(path: path)
        let l = try csv.column("lsoa_code"), d = try csv.column("imd_decile")
        var decile: [Int32: UInt8] = [:]
        for (line, f) in csv.rows {
            guard f[l].count == 9, f[l].hasPrefix("E01"), let digits = Int32(f[l].dropFirst(3)),
                  let dec = UInt8(f[d]), (1...10).contains(dec) else {
                throw StratifyError(.runFailed, "\(path), line \(line): expected an E01 LSOA code and a decile 1-10")
            }
            decile[digits] = dec
        }
        self.path = path
        self.decile = decile
    }
}

/// The ONS LSOA 2011 → 2021 best-fit lookup for England (`lsoa11_code,lsoa21_code`): each 2011
/// LSOA to the one 2021 LSOA holding most of its population (reference/README.md).
public struct LSOALookup: Sendable {
    public let path: String
    /// LSOA 2011 digits → LSOA 2021 digits (after "E01").
    public let to2021: [Int32: Int32]

    public init(path: String) throws(StratifyError) {
        let csv = try ReferenceCSV(path: path)
        let a = try csv.column("lsoa11_code"), b = try csv.column("lsoa21_code")
        var map: [Int32: Int32] = [:]
        for (line, f) in csv.rows {
            guard let from = LSOALookup.digits(f[a]), let to = LSOALookup.digits(f[b]) else {
                throw StratifyError(.runFailed, "\(path), line \(line): expected two E01 LSOA codes")
            }
            map[from] = to
        }
        self.path = path
        to2021 = map
    }

    public init(path: String, to2021: [Int32: Int32]) {
        self.path = path
        self.to2021 = to2021
    }

    static func digits(_ code: String) -> Int32? {
        guard code.count == 9, code.hasPrefix("E01") else { return nil }
        return Int32(code.dropFirst(3))
    }
}

extension IMDTable {
    /// The LSOA vintage an IMD table is published on.
    public enum Vintage: String, Sendable { case lsoa2011 = "LSOA 2011", lsoa2021 = "LSOA 2021" }

    /// A table built from rows already in memory (tests).
    public init(path: String, decile: [Int32: UInt8]) {
        self.path = path
        self.decile = decile
    }

    /// This table (on `vintage`), answering the other vintage's codes too, through `lookup`:
    /// - on LSOA 2021 (IMD 2025), a 2011-only code takes the decile of its best-fit 2021 LSOA;
    /// - on LSOA 2011 (IMD 2019), a 2021-only code takes the decile of the 2011 LSOAs whose best
    ///   fit it is, when they agree on one (a 2021 LSOA that is part of a split and no 2011 LSOA's
    ///   best fit, or a merge of 2011 LSOAs in different deciles, stays without one).
    /// `other` is the other vintage's IMD table: a code is "the other vintage's" when it is there
    /// and not here (unchanged LSOAs kept their code, and codes are never reused).
    public func bridged(vintage: Vintage, other: IMDTable, lookup: LSOALookup) -> IMDTable {
        var out = self
        out.vintage = vintage
        let foreign = other.decile.keys.filter { decile[$0] == nil }
        var answer: [Int32: UInt8] = [:]
        switch vintage {
        case .lsoa2021:
            for code in foreign { if let to = lookup.to2021[code], let d = decile[to] { answer[code] = d } }
        case .lsoa2011:
            var from: [Int32: Set<UInt8>] = [:]
            for (old, new) in lookup.to2021 where decile[new] == nil {
                if let d = decile[old] { from[new, default: []].insert(d) }
            }
            for code in foreign { if let ds = from[code], ds.count == 1 { answer[code] = ds.first! } }
        }
        for (code, d) in answer { out.decile[code] = d }
        out.bridgedCodes = Set(answer.keys)
        out.otherVintageUnmapped = Set(foreign.filter { answer[$0] == nil })
        return out
    }

    /// Counts of patient LSOA codes (digits; negative = none) of the other vintage: those given a
    /// decile through the lookup and those left without one. Counts only, never codes.
    public func vintageCounts(_ lsoas: [Int32]) -> (bridged: Int, unmapped: Int) {
        guard !bridgedCodes.isEmpty || !otherVintageUnmapped.isEmpty else { return (0, 0) }
        var bridged = 0, unmapped = 0
        for code in lsoas where code >= 0 {
            if bridgedCodes.contains(code) { bridged += 1 } else if otherVintageUnmapped.contains(code) { unmapped += 1 }
        }
        return (bridged, unmapped)
    }

    /// The warning for patients whose LSOA codes are of the other vintage, with counts only; nil
    /// when there are none.
    public func vintageWarning(_ lsoas: [Int32]) -> String? {
        guard let vintage else { return nil }
        let (bridged, unmapped) = vintageCounts(lsoas)
        let n = bridged + unmapped
        guard n > 0 else { return nil }
        let withLSOA = lsoas.lazy.filter { $0 >= 0 }.count
        let (imd, otherIMD, otherVintage) = vintage == .lsoa2011 ? ("2019", "2025", Vintage.lsoa2021) : ("2025", "2019", Vintage.lsoa2011)
        let pct = JSON.format((Double(n) / Double(max(withLSOA, 1)) * 1000).rounded() / 10)
        return "\(n) of \(withLSOA) patients with an LSOA (\(pct)%) have \(otherVintage.rawValue) codes, but IMD \(imd) is published on "
            + "\(vintage.rawValue): \(bridged) took the decile of their best-fit LSOA (ONS lookup), \(unmapped) have no decile "
            + "(docs/reference-data.md, LSOA vintages; or use IMD \(otherIMD))"
    }
}

/// A real ICB's practices with PCN and neighbourhood (INT).
public struct PracticeTable: Sendable {
    public struct Practice: Sendable {
        public let code: String, name: String, pcnCode: String, pcnName: String, neighbourhood: String

        /// The same practice with its own copy of every string: for a worker thread that reads
        /// them for every row (CohortCSV.Prepared), so that threads do not share their counts.
        public var unshared: Practice {
            Practice(code: code.unshared, name: name.unshared, pcnCode: pcnCode.unshared, pcnName: pcnName.unshared,
                     neighbourhood: neighbourhood.unshared)
        }
    }
    public let path: String
    public let practices: [Practice]
    public let icbName: String

    public init(path: String) throws(StratifyError) {
        let csv = try ReferenceCSV(path: path)
        let c = try csv.column("practice_code"), n = try csv.column("practice_name")
        let pc = try csv.column("pcn_code"), pn = try csv.column("pcn_name"), nb = try csv.column("neighbourhood")
        let icb = try csv.column("icb_name")
        practices = csv.rows.map { Practice(code: $0.fields[c], name: $0.fields[n], pcnCode: $0.fields[pc],
                                            pcnName: $0.fields[pn], neighbourhood: $0.fields[nb]) }
        icbName = csv.rows.first?.fields[icb] ?? ""
        self.path = path
    }
}
