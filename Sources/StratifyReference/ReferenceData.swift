import StratifyCore

/// Locates the `reference/` folder and loads what is asked of it.
public struct ReferenceData: Sendable {
    public let root: String

    public init(root: String) throws(StratifyError) {
        guard FileSystem.isDirectory(root + "/codelists") else {
            throw StratifyError(.usage, "reference folder '\(root)' has no codelists/ folder",
                                help: "run from the repository root, or pass --reference DIR")
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
    /// LSOA digits (after "E01") → decile 1–10 (1 = most deprived).
    public let decile: [Int32: UInt8]

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

/// A real ICB's practices with PCN and neighbourhood (INT).
public struct PracticeTable: Sendable {
    public struct Practice: Sendable {
        public let code: String, name: String, pcnCode: String, pcnName: String, neighbourhood: String
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
